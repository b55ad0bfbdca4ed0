#pragma once

namespace rapport::db {

// Gives SQLite mutexes that spin briefly before they sleep (glibc's adaptive mutexes) in place
// of its default ones, which sleep at once. SQLite's WAL-index mutex is taken at the start and
// end of every read transaction by every connection of the process; its critical sections are
// short, and sleeping on it cost the server a futex call and two context switches per request
// under load. Must run before SQLite's first use; the SQLite backend calls it once.
void InstallAdaptiveSqliteMutexes();

}  // namespace rapport::db
