function map(doc) {
  if (!doc.RequestName || !doc.Requests || !doc.Requests.length) return;
  var seen = {};
  for (var i = 0; i < doc.Requests.length; i++) {
    var request = doc.Requests[i];
    if (typeof request === 'string' && request && !seen[request]) {
      seen[request] = true;
      emit(request, doc.RequestName);
    }
  }
}
