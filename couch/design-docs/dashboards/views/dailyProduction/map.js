function map(doc) {
  // Events the workflow's final output dataset gained (or lost) per UTC day, for campaign
  // dashboards. Key [campaign, year, month, day, PWG] once per campaign, plus one row with
  // campaign null that counts the workflow once across campaigns; value: the change of its
  // counted events that day (days without change emit nothing). With `_sum`, group_level 4
  // gives days, 3 months, 2 years, 1 a campaign's produced events.
  //
  // Final output: the last of OutputDatasets (the most processed tier); old documents
  // without OutputDatasets: the last dataset their history names. Its counted events in
  // a history entry: Events, or 0 when DBS calls it INVALID or DELETED (it counts 0 from
  // then on) or Events is not a number; an entry without the dataset changes nothing.
  // The same rules as the website's summary of a workflow (server/workflow-progress.ts).
  var NOT_COUNTED = { INVALID: true, DELETED: true };
  var i, j, seen, name;

  function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  var entries = [];
  var history = Array.isArray(doc.EventNumberHistory) ? doc.EventNumberHistory : [];
  for (i = 0; i < history.length; i++) {
    var entry = history[i];
    if (!isRecord(entry) || typeof entry.Time !== 'number' || !isFinite(entry.Time)) continue;
    if (!isRecord(entry.Datasets) || isNaN(new Date(entry.Time * 1000).getTime())) continue;
    entries.push({ time: entry.Time, datasets: entry.Datasets, order: i });
  }
  entries.sort(function (a, b) {
    return a.time - b.time || a.order - b.order;
  });

  var outputs = [];
  seen = {};
  if (Array.isArray(doc.OutputDatasets)) {
    for (i = 0; i < doc.OutputDatasets.length; i++) {
      name = doc.OutputDatasets[i];
      if (typeof name === 'string' && name && !seen[name]) {
        seen[name] = true;
        outputs.push(name);
      }
    }
  } else {
    for (i = 0; i < entries.length; i++) {
      for (name in entries[i].datasets) {
        if (name && !seen[name]) {
          seen[name] = true;
          outputs.push(name);
        }
      }
    }
  }
  if (!outputs.length) return;
  var finalOutput = outputs[outputs.length - 1];

  var days = [];
  var change = {};
  var previous = 0;
  for (i = 0; i < entries.length; i++) {
    var numbers = entries[i].datasets[finalOutput];
    if (!isRecord(numbers)) continue;
    var counted =
      typeof numbers.Type === 'string' && NOT_COUNTED[numbers.Type]
        ? 0
        : typeof numbers.Events === 'number' && isFinite(numbers.Events)
          ? numbers.Events
          : 0;
    var delta = counted - previous;
    previous = counted;
    if (delta === 0) continue;
    var date = new Date(entries[i].time * 1000);
    var day = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    var dayKey = day.join('-');
    if (!(dayKey in change)) {
      change[dayKey] = 0;
      days.push(day);
    }
    change[dayKey] += delta;
  }
  if (!days.length) return;

  var campaigns = [];
  seen = {};
  var listed = Array.isArray(doc.Campaigns) ? doc.Campaigns : [];
  for (i = 0; i < listed.length; i++) {
    name = listed[i];
    if (typeof name === 'string' && name && !seen[name]) {
      seen[name] = true;
      campaigns.push(name);
    }
  }
  var prepid = typeof doc.PrepID === 'string' ? doc.PrepID : '';
  var mcm = /^(?:task_)?([A-Z0-9]{3})-.*-[0-9]{5}$/.exec(prepid);
  var pwg = mcm ? mcm[1] : null;

  for (i = 0; i < days.length; i++) {
    var sum = change[days[i].join('-')];
    if (sum === 0) continue;
    var d = days[i];
    for (j = 0; j < campaigns.length; j++) emit([campaigns[j], d[0], d[1], d[2], pwg], sum);
    emit([null, d[0], d[1], d[2], pwg], sum);
  }
}
