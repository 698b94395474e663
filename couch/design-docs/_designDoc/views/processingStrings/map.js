function map(doc) {
  if (doc.RequestName && typeof doc.ProcessingString === 'string' && doc.ProcessingString) {
    emit(doc.ProcessingString, doc.RequestName);
  }
}
