function map(doc) {
  // The campaign dashboards' one view (one view keeps the index cheap: pouchdb-server
  // indexes each view on its own, reading every changed document again). Two kinds of rows:
  //
  // [campaigns, year, month, PWG] → [events gained on day 1 of that UTC month, day 2, …,
  //   on through the next month]: the change of the workflow's counted events, in ONE row
  //   whatever its number of campaigns; `campaigns` is the sorted array of its distinct
  //   campaigns ([] for none). `_sum` adds the arrays day by day, so `group=true` gives,
  //   per campaign set, starting month and PWG, the days of every workflow of that set;
  //   the reader adds a group to each of its campaigns, and once to the total across
  //   campaigns and to its PWG (each workflow counted once). One row per workflow, rather
  //   than one per campaign plus one across campaigns: McM chains list a campaign per task
  //   (GS, DR, MiniAOD), and every emitted row costs the index on each update. A row spans
  //   two months, not one, for the same reason (most workflows produce within two
  //   months), and not more, so that CouchDB's stored reductions stay short (≤ 62 days).
  // [true, quiet since, running since, last growth] → [] for a workflow whose current
  //   status is a running one: the later of when it started running (the first of its
  //   latest run of running statuses) and its last history entry that added events.
  //
  // Counted events: those of the final output (the last of OutputDatasets, the most
  // processed tier; old documents without OutputDatasets: the last dataset their history
  // names) in a history entry; 0 when DBS calls it INVALID or DELETED (it counts 0 from
  // then on) or Events is not a number; an entry without the dataset changes nothing.
  // The same rules as the website's reading of a workflow (server/workflow-progress.ts).
  // Written for speed in QuickJS (Apache CouchDB): no Date, no sort of sorted histories.
  var NOT_COUNTED = { INVALID: true, DELETED: true };
  var RUNNING = {
    'running-open': true,
    'running-closed': true,
    running: true,
    'force-complete': true,
  };
  var i, name, seen, entry, time, datasets;

  // Valid history entries in time order (the updater stores them sorted; others get sorted).
  var entries = [];
  var inOrder = true;
  var history = doc.EventNumberHistory;
  if (Array.isArray(history)) {
    for (i = 0; i < history.length; i++) {
      entry = history[i];
      if (typeof entry !== 'object' || entry === null) continue;
      time = entry.Time;
      // A number a date can hold (NaN and ±Infinity fail the comparisons).
      if (typeof time !== 'number' || !(time >= -8.64e12 && time <= 8.64e12)) continue;
      datasets = entry.Datasets;
      if (typeof datasets !== 'object' || datasets === null || Array.isArray(datasets)) continue;
      if (entries.length && time < entries[entries.length - 1].Time) inOrder = false;
      entries.push(entry);
    }
  }
  if (!inOrder) {
    var indexed = [];
    for (i = 0; i < entries.length; i++) indexed.push([entries[i], i]);
    indexed.sort(function (a, b) {
      return a[0].Time - b[0].Time || a[1] - b[1];
    });
    for (i = 0; i < indexed.length; i++) entries[i] = indexed[i][0];
  }

  var finalOutput = null;
  var outputs = doc.OutputDatasets;
  seen = {};
  if (Array.isArray(outputs)) {
    for (i = 0; i < outputs.length; i++) {
      name = outputs[i];
      if (typeof name === 'string' && name && seen['#' + name] !== true) {
        seen['#' + name] = true;
        finalOutput = name;
      }
    }
  } else {
    for (i = 0; i < entries.length; i++) {
      for (name in entries[i].Datasets) {
        if (name && seen['#' + name] !== true) {
          seen['#' + name] = true;
          finalOutput = name;
        }
      }
    }
  }

  var rows = [];
  var row = null;
  var lastGrowth = null;
  if (finalOutput !== null) {
    var previous = 0;
    for (i = 0; i < entries.length; i++) {
      var numbers = entries[i].Datasets[finalOutput];
      if (typeof numbers !== 'object' || numbers === null || Array.isArray(numbers)) continue;
      var counted =
        NOT_COUNTED[numbers.Type] === true
          ? 0
          : typeof numbers.Events === 'number' && isFinite(numbers.Events)
            ? numbers.Events
            : 0;
      var change = counted - previous;
      previous = counted;
      if (change === 0) continue;
      time = entries[i].Time;
      if (change > 0) lastGrowth = time;
      // The UTC date of `time` (Howard Hinnant's civil_from_days).
      var epochDay = Math.floor(time / 86400);
      var z = epochDay + 719468;
      var era = Math.floor(z / 146097);
      var dayOfEra = z - era * 146097;
      var leapDays =
        Math.floor(dayOfEra / 1460) - Math.floor(dayOfEra / 36524) + Math.floor(dayOfEra / 146096);
      var yearOfEra = Math.floor((dayOfEra - leapDays) / 365);
      var dayOfYear =
        dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
      var shifted = Math.floor((5 * dayOfYear + 2) / 153);
      var monthNumber = shifted < 10 ? shifted + 3 : shifted - 9;
      var year = yearOfEra + era * 400 + (monthNumber <= 2 ? 1 : 0);
      var day = dayOfYear - Math.floor((153 * shifted + 2) / 5); // 0 on the 1st
      // Changes come in time order: each either fits the last row or starts the next.
      var monthIndex = year * 12 + monthNumber;
      if (row === null || monthIndex - row.monthIndex > 1) {
        row = {
          year: year,
          month: monthNumber,
          monthIndex: monthIndex,
          firstDay: epochDay - day,
          changes: [],
        };
        rows.push(row);
      }
      var index = epochDay - row.firstDay;
      while (row.changes.length <= index) row.changes.push(0);
      row.changes[index] += change;
    }
  }
  if (rows.length) {
    var campaigns = [];
    seen = {};
    var listed = doc.Campaigns;
    if (Array.isArray(listed)) {
      for (i = 0; i < listed.length; i++) {
        name = listed[i];
        if (typeof name === 'string' && name && seen['#' + name] !== true) {
          seen['#' + name] = true;
          campaigns.push(name);
        }
      }
      // The same set gives the same key whatever order the document lists it in.
      campaigns.sort();
    }
    var mcm =
      typeof doc.PrepID === 'string'
        ? /^(?:task_)?([A-Z0-9]{3})-.*-[0-9]{5}$/.exec(doc.PrepID)
        : null;
    var pwg = mcm ? mcm[1] : null;
    for (i = 0; i < rows.length; i++) {
      var changes = rows[i].changes;
      // Days whose changes cancelled out leave zeros: a row of zeros is not emitted.
      while (changes.length && changes[changes.length - 1] === 0) changes.pop();
      if (!changes.length) continue;
      emit([campaigns, rows[i].year, rows[i].month, pwg], changes);
    }
  }

  var transitions = doc.RequestTransition;
  if (!Array.isArray(transitions)) return;
  var last = -1;
  for (i = transitions.length - 1; i >= 0 && last < 0; i--) {
    entry = transitions[i];
    if (
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.Status === 'string' &&
      entry.Status
    )
      last = i;
  }
  if (last < 0 || RUNNING[transitions[last].Status] !== true) return;
  var runningSince = null;
  for (i = last; i >= 0; i--) {
    entry = transitions[i];
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.Status !== 'string' ||
      !entry.Status
    )
      continue;
    if (RUNNING[entry.Status] !== true) break;
    time = entry.UpdateTime;
    if (typeof time === 'number' && isFinite(time)) runningSince = time;
  }
  if (runningSince === null && lastGrowth === null) return;
  var quietSince =
    runningSince === null
      ? lastGrowth
      : lastGrowth === null
        ? runningSince
        : Math.max(runningSince, lastGrowth);
  emit([true, quietSince, runningSince, lastGrowth], []);
}
