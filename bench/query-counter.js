'use strict';
// Preload for the benchmarked gateway (bench/messaging.ts, BENCH_QUERIES=1): counts the SQL
// statements the process sends through mysql2 (TypeORM's MySQL driver). Each SIGUSR2 prints
// `query-count <json>` with the counts by statement kind since the previous signal, then resets
// them. Bench tooling only: nothing in src/ loads or knows this file.
const BaseConnection = Object.getPrototypeOf(require('mysql2').Connection.prototype).constructor;

let counts = {};
const kindOf = (sql) => {
  const text = String(typeof sql === 'string' ? sql : (sql && sql.sql) || '').trim();
  const words = text.split(/\s+/, 3).map((word) => word.toUpperCase());
  if (words[0] === 'START' || words[0] === 'SET') {
    return words.slice(0, 2).join(' ');
  }
  if (words[0] === 'INSERT' || words[0] === 'DELETE' || words[0] === 'UPDATE') {
    const table = /(?:INTO|FROM|UPDATE)\s+`?(\w+)`?/i.exec(text);
    return `${words[0]} ${table ? table[1] : '?'}`;
  }
  if (words[0] === 'SELECT') {
    const table = /FROM\s+`?(\w+)`?/i.exec(text);
    return `SELECT ${table ? table[1] : '?'}`;
  }
  return words[0];
};
for (const method of ['query', 'execute']) {
  const original = BaseConnection.prototype[method];
  BaseConnection.prototype[method] = function (sql, ...rest) {
    const kind = kindOf(sql);
    counts[kind] = (counts[kind] || 0) + 1;
    return original.call(this, sql, ...rest);
  };
}
process.on('SIGUSR2', () => {
  process.stdout.write(`query-count ${JSON.stringify(counts)}\n`);
  counts = {};
});
