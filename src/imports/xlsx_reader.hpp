// Reads the first worksheet of an XLSX workbook row by row, for imports: the zip is read with
// zlib and the sheet's XML streamed through expat, so memory stays bounded by the shared strings
// however many rows there are. Cells come out as text: shared and inline strings as written,
// numbers without float noise ("0.30000000000000004" is "0.3"), cells formatted as dates as
// YYYY-MM-DD (or YYYY-MM-DDTHH:MM:SSZ with a time), booleans as 1 or 0. Rows are padded to the
// header's width, since spreadsheets leave empty trailing cells out.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "imports/record_source.hpp"

namespace rapport::imports {

// True when `bytes` start as a zip file does (XLSX is one).
bool LooksLikeZip(std::string_view bytes);

// A reader over the workbook in `bytes` (kept by the reader); kMalformed when it is not an XLSX
// workbook with a worksheet.
Result<std::unique_ptr<RecordSource>> OpenXlsx(std::string bytes);

}  // namespace rapport::imports
