// Spreadsheet downloads: libxlsxwriter writes a workbook to a file, so a workbook is filled in a
// temporary file and handed back as bytes.
#pragma once

#include <xlsxwriter.h>

#include <functional>
#include <string>

#include "core/result.hpp"

namespace rapport::api {

// The bytes of a workbook that `fill` writes its sheets into.
Result<std::string> XlsxWorkbook(const std::function<void(lxw_workbook*)>& fill);

}  // namespace rapport::api
