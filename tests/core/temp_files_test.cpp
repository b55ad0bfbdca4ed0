#include "core/temp_files.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace rapport {
namespace {

namespace fs = std::filesystem;

// A temporary folder of the test's own, made TMPDIR while the test runs.
class TempFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/temp-files-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    folder_ = pattern;
    ASSERT_EQ(setenv("TMPDIR", pattern, 1), 0);
  }
  void TearDown() override {
    unsetenv("TMPDIR");
    fs::remove_all(folder_);
  }
  fs::path folder_;
};

// A pid no process has: a child's that has exited and been waited for.
pid_t GonePid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

TEST_F(TempFilesTest, APatternNamesThisProcessInTheTemporaryFolder) {
  const std::string pattern = TempPattern("book");
  EXPECT_EQ(pattern, (folder_ / ("rapport-book-" + std::to_string(getpid()) + "-XXXXXX")).string());
}

TEST_F(TempFilesTest, OnlyWhatAProcessNoLongerRunningLeftIsRemoved) {
  const std::string gone = std::to_string(GonePid());
  // A crashed import's extracted export (a folder with files) and an export being written.
  fs::create_directories(folder_ / ("rapport-book-" + gone + "-a1b2c3") / "nested");
  std::ofstream(folder_ / ("rapport-book-" + gone + "-a1b2c3") / "Account.csv") << "Id\n001\n";
  std::ofstream(folder_ / ("rapport-export-" + gone + "-d4e5f6")) << "data";
  // One with this process's own pid: it has made none yet, so a previous process with the same
  // pid did (a container's server is pid 1 each time).
  std::string earlier = TempPattern("workbook");
  const int fd = mkstemp(earlier.data());
  ASSERT_NE(fd, -1);
  close(fd);
  // A live process's, and names that are not ours to remove.
  const std::string live = "rapport-book-" + std::to_string(getppid()) + "-x1y2z3";
  fs::create_directories(folder_ / live);
  std::ofstream(folder_ / ("rapport-annuel-" + gone + "-v2.pdf")) << "someone's report";
  std::ofstream(folder_ / ("rapport-notes-" + gone + "-a1b2c3")) << "not a kind of ours";
  std::ofstream(folder_ / "rapport-export-XXXXXX") << "an older name, without a pid";
  std::ofstream(folder_ / "notes.txt") << "someone else's";

  EXPECT_EQ(RemoveOrphanedTempFiles(), 3);
  EXPECT_FALSE(fs::exists(folder_ / ("rapport-book-" + gone + "-a1b2c3")));
  EXPECT_FALSE(fs::exists(folder_ / ("rapport-export-" + gone + "-d4e5f6")));
  EXPECT_FALSE(fs::exists(earlier));
  EXPECT_TRUE(fs::exists(folder_ / live));
  EXPECT_TRUE(fs::exists(folder_ / ("rapport-annuel-" + gone + "-v2.pdf")));
  EXPECT_TRUE(fs::exists(folder_ / ("rapport-notes-" + gone + "-a1b2c3")));
  EXPECT_TRUE(fs::exists(folder_ / "rapport-export-XXXXXX"));
  EXPECT_TRUE(fs::exists(folder_ / "notes.txt"));
  EXPECT_EQ(RemoveOrphanedTempFiles(), 0) << "nothing left to remove";
}

}  // namespace
}  // namespace rapport
