// Temporary files and folders that say which process made them, so that what a crashed process
// left (an export's extracted files, a workbook being written: customers' data) can be found and
// removed by the next one, without touching those of another process still running on the
// machine (several `rapport serve` may share one temporary folder).
#pragma once

#include <string>
#include <string_view>

namespace rapport {

// "<temporary folder>/rapport-<what>-<pid>-XXXXXX", for mkstemp or mkdtemp. The temporary folder
// is TMPDIR's, else /tmp.
std::string TempPattern(std::string_view what);

// Removes from the temporary folder each name TempPattern made, owned by this user, whose process
// is no longer running (a file, or a folder with all it holds); returns how many it removed.
// Call it before this process makes any (serve does, as it starts): one with this process's own
// pid is taken for a previous process's. Safe while other processes make theirs, as long as they
// share this process's pid namespace (a temporary folder shared between containers is not).
int RemoveOrphanedTempFiles();

}  // namespace rapport
