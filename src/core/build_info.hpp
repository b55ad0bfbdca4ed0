// What was built: the release version and the git commit (generated at build time).
#pragma once

namespace rapport {
extern const char* const kVersion;
extern const char* const kGitCommit;
}  // namespace rapport
