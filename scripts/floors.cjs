// The floors of src/ (see .dependency-cruiser.cjs): an import goes to its own floor or lower.
/** Lowest floor first. Each entry: the floor's rooms, as path patterns from the repository root. */
module.exports.floors = [
  { name: 'ground', rooms: ['src/errors\\.ts$', 'src/exit-codes\\.ts$', 'src/paths\\.ts$', 'src/util/', 'src/config/'] },
  { name: 'model', rooms: ['src/stack/', 'src/run/', 'src/lifecycle/'] },
  { name: 'capabilities', rooms: ['src/load/', 'src/faults/', 'src/telemetry/', 'src/scaling/', 'src/budgets/', 'src/gameday/', 'src/readback/'] },
  { name: 'supervisor', rooms: ['src/supervisor/'] },
  { name: 'judge', rooms: ['src/verify/'] },
  { name: 'reports', rooms: ['src/report/'] },
  { name: 'game day', rooms: ['src/drill/', 'src/doctor/'] },
  { name: 'commands', rooms: ['src/cli/'] },
];
