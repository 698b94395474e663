function map(doc) {
  if (doc.RequestName && typeof doc.RequestType === 'string' && doc.RequestType) {
    emit(doc.RequestType, doc.RequestName);
  }
}
