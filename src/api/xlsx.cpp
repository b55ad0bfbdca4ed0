#include "api/xlsx.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/temp_files.hpp"

namespace rapport::api {

Result<std::string> XlsxWorkbook(const std::function<void(lxw_workbook*)>& fill) {
  std::string pattern = TempPattern("workbook");
  char* path = pattern.data();
  const int fd = mkstemp(path);
  if (fd < 0) return Error(ErrorCode::kInternal, "could not make a temporary file");
  close(fd);
  lxw_workbook* book = workbook_new(path);
  if (book == nullptr) {
    unlink(path);
    return Error(ErrorCode::kInternal, "could not start the workbook");
  }
  fill(book);
  const lxw_error closed = workbook_close(book);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  unlink(path);
  if (closed != LXW_NO_ERROR) {
    return Error(ErrorCode::kInternal, std::string("the workbook: ") + lxw_strerror(closed));
  }
  return bytes.str();
}

}  // namespace rapport::api
