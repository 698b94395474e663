function map(doc) {
  if (!doc.RequestName || !doc.Campaigns || !doc.Campaigns.length) return;
  var seen = {};
  for (var i = 0; i < doc.Campaigns.length; i++) {
    var campaign = doc.Campaigns[i];
    if (typeof campaign === 'string' && campaign && !seen[campaign]) {
      seen[campaign] = true;
      emit(campaign, doc.RequestName);
    }
  }
}
