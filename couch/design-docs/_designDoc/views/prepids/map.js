function map(doc) {
  if (doc.RequestName && typeof doc.PrepID === 'string' && doc.PrepID) {
    emit(doc.PrepID, doc.RequestName);
  }
}
