function map(doc) {
  // Workflows whose status is one of the running ones, keyed by the time since which their
  // final output has not grown: the later of when they started running (the first of
  // their latest run of running statuses) and the last history entry that added events.
  // A range up to now − N days lists those that produced nothing for N days while running.
  // Value: [running since, last growth], each unix seconds or null.
  // Final output and counted events follow the rules of dailyProduction.
  var RUNNING = {
    'running-open': true,
    'running-closed': true,
    running: true,
    'force-complete': true,
  };
  var NOT_COUNTED = { INVALID: true, DELETED: true };
  var i, name, seen;

  function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  }

  var transitions = [];
  var listed = Array.isArray(doc.RequestTransition) ? doc.RequestTransition : [];
  for (i = 0; i < listed.length; i++) {
    if (isRecord(listed[i]) && typeof listed[i].Status === 'string' && listed[i].Status) {
      transitions.push(listed[i]);
    }
  }
  if (!transitions.length || !RUNNING[transitions[transitions.length - 1].Status]) return;
  var runningSince = null;
  for (i = transitions.length - 1; i >= 0 && RUNNING[transitions[i].Status]; i--) {
    var time = transitions[i].UpdateTime;
    if (typeof time === 'number' && isFinite(time)) runningSince = time;
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

  var lastGrowth = null;
  if (outputs.length) {
    var finalOutput = outputs[outputs.length - 1];
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
      if (counted > previous) lastGrowth = entries[i].time;
      previous = counted;
    }
  }

  if (runningSince === null && lastGrowth === null) return;
  var quietSince =
    runningSince === null
      ? lastGrowth
      : lastGrowth === null
        ? runningSince
        : Math.max(runningSince, lastGrowth);
  emit(quietSince, [runningSince, lastGrowth]);
}
