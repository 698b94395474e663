function map(doc) {
  if (!doc.RequestName || !doc.OutputDatasets || !doc.OutputDatasets.length) return;
  for (var i = 0; i < doc.OutputDatasets.length; i++) {
    var dataset = doc.OutputDatasets[i];
    if (typeof dataset === 'string' && dataset) emit(dataset, doc.RequestName);
  }
}
