function map(doc) {
  if (doc.RequestName && typeof doc.InputDataset === 'string' && doc.InputDataset) {
    emit(doc.InputDataset, doc.RequestName);
  }
}
