// What one wake-up of an idle Node process costs on this machine: a bare timer loop, nothing else,
// sleeping INTERVAL ms between wakes for SECONDS; CPU (user + system) per wake, start-up excluded.
// A paced load generator wakes at least once per arrival tick and once per batch of responses,
// so on a machine where a wake is dear, pacing is dear, whatever the generator does per request.
//
//   node bench/load-wake-cost.mjs INTERVAL_MS SECONDS     -> prints one JSON line
const [interval, seconds] = [Number(process.argv[2]), Number(process.argv[3])];
if (!(interval > 0) || !(seconds > 0)) {
  console.error('usage: node bench/load-wake-cost.mjs INTERVAL_MS SECONDS');
  process.exit(2);
}
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const before = cpu();
const end = performance.now() + seconds * 1000;
let wakes = 0;
(function tick() {
  wakes++;
  if (performance.now() < end) return void setTimeout(tick, interval);
  const used = cpu() - before;
  console.log(JSON.stringify({ intervalMs: interval, wakes, cpuMs: used / 1000, cpuPerWakeUs: used / wakes }));
})();
