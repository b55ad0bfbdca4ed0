#include "db/sqlite/sqlite_mutex.hpp"

#include <pthread.h>
#include <sqlite3.h>

#include <array>
#include <new>

namespace rapport::db {
namespace {

// sqlite3_mutex is opaque to SQLite's callers: the application that installs mutex methods
// decides what it is.
struct Mutex {
  pthread_mutex_t lock;
};

void Init(Mutex& m, bool recursive) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, recursive ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_ADAPTIVE_NP);
  pthread_mutex_init(&m.lock, &attr);
  pthread_mutexattr_destroy(&attr);
}

// SQLITE_MUTEX_STATIC_MAIN (2) .. SQLITE_MUTEX_STATIC_VFS3 (13).
constexpr int kFirstStatic = SQLITE_MUTEX_STATIC_MAIN;
constexpr int kLastStatic = SQLITE_MUTEX_STATIC_VFS3;
std::array<Mutex, kLastStatic - kFirstStatic + 1> static_mutexes;

Mutex* Of(sqlite3_mutex* m) { return reinterpret_cast<Mutex*>(m); }

int MutexInit() {
  static const bool initialised = [] {
    for (Mutex& m : static_mutexes) Init(m, false);
    return true;
  }();
  (void)initialised;
  return SQLITE_OK;
}

int MutexEnd() { return SQLITE_OK; }

sqlite3_mutex* MutexAlloc(int kind) {
  if (kind == SQLITE_MUTEX_FAST || kind == SQLITE_MUTEX_RECURSIVE) {
    auto* m = new (std::nothrow) Mutex;
    if (m == nullptr) return nullptr;
    Init(*m, kind == SQLITE_MUTEX_RECURSIVE);
    return reinterpret_cast<sqlite3_mutex*>(m);
  }
  if (kind < kFirstStatic || kind > kLastStatic) return nullptr;
  return reinterpret_cast<sqlite3_mutex*>(&static_mutexes[kind - kFirstStatic]);
}

void MutexFree(sqlite3_mutex* m) {
  pthread_mutex_destroy(&Of(m)->lock);
  delete Of(m);
}

void MutexEnter(sqlite3_mutex* m) { pthread_mutex_lock(&Of(m)->lock); }

int MutexTry(sqlite3_mutex* m) {
  return pthread_mutex_trylock(&Of(m)->lock) == 0 ? SQLITE_OK : SQLITE_BUSY;
}

void MutexLeave(sqlite3_mutex* m) { pthread_mutex_unlock(&Of(m)->lock); }

// Only SQLite's own assertions ask these (not compiled into release builds); "true" is what the
// interface allows an implementation that does not track owners to answer.
int MutexHeld(sqlite3_mutex*) { return 1; }
int MutexNotheld(sqlite3_mutex*) { return 1; }

}  // namespace

void InstallAdaptiveSqliteMutexes() {
  static const sqlite3_mutex_methods methods = {
      MutexInit, MutexEnd,   MutexAlloc, MutexFree,    MutexEnter,
      MutexTry,  MutexLeave, MutexHeld,  MutexNotheld,
  };
  sqlite3_config(SQLITE_CONFIG_MUTEX, &methods);
}

}  // namespace rapport::db
