// Reading the files of a book as their source writes them: CSV or XLSX, and each source's profile
// (rows that are not records any more, cells read otherwise, columns added, columns mapped other
// than by their names). Not thread-safe: one reader per file at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "imports/cells.hpp"
#include "imports/record_source.hpp"
#include "moving/book.hpp"

namespace rapport::moving {

// What a source's file means that its header alone does not say: rows to skip, cells to read
// otherwise, columns to add, and columns mapped other than by their names.
struct Profile {
  std::vector<std::pair<std::string, std::string>> mapping;  // header -> field ("" ignores)
  std::vector<std::size_t> skip_when_true;  // rows deleted in the source (IsDeleted)
  std::vector<std::size_t> skip_when_set;   // rows merged into another (MasterRecordId)
  std::vector<std::pair<std::size_t, std::string (*)(std::string_view)>> rewrites;
  // Columns added to each row: a name, and the cell from the row's others.
  struct Derived {
    std::string header;
    std::size_t from;
    std::string prefix;  // the cell of `from` when it starts with this, else empty
    // Instead: the cell of `from` made over (a note's first line as its subject), or, when
    // `from` is past the row, this text in every row (an export's kind of activity).
    std::string (*make)(std::string_view cell) = nullptr;
    std::string constant;
  };
  static constexpr std::size_t kEveryRow = static_cast<std::size_t>(-1);  // Derived::from
  std::vector<Derived> derived;
  // Rows another part of the book takes, set aside: Salesforce's tasks not done yet (IsClosed
  // false, or a Status other than Completed) are tasks, the rest activities (all of them when
  // the file says neither).
  bool split_done = false;
  std::optional<std::size_t> done_column;
  bool done_is_status = false;  // the column is Status (Completed), not IsClosed
  bool keep_done = true;        // the activities keep those done; the open tasks the others
  // Rows dated after the run's day (`today`, YYYY-MM-DD) in `when_column` are planned, not done:
  // a meeting to come is a task. The activities keep the others; the open tasks these.
  std::optional<std::size_t> when_column;
  std::string today;
  bool keep_past = true;
};

// The kind of activity a HubSpot export holds, by its file's name as HubSpot writes it
// ("hubspot-crm-exports-all-calls-2026-11-30"; `stem`, any case): "call",
// "meeting", "email" and "note" for those exports, "task" for its tasks (the done ones are
// activities of the kind their Task type says, the others tasks); nullopt for another file.
std::optional<std::string> HubSpotActivityKind(std::string_view stem);

// The profile of `file` from `source`, whose header is `header`.
Profile ProfileOf(Source source, const BookFile& file, const std::vector<std::string>& header);

// A file's records as its profile reads them: deleted and merged rows left out (counted), cells
// rewritten, derived columns added.
class ProfiledRecords final : public imports::RecordSource {
 public:
  ProfiledRecords(std::unique_ptr<imports::RecordSource> inner, Source source, const BookFile& file)
      : inner_(std::move(inner)), source_(source), file_(file) {}

  // Reads the header, which gives the profile (the first Next returns it).
  Status ReadHeader();
  Result<bool> Next(std::vector<std::string>& fields) override;
  std::int64_t line() const override { return inner_->line(); }
  std::uint64_t bytes_read() const override { return inner_->bytes_read(); }

  const Profile& profile() const { return profile_; }
  std::int64_t rows() const { return rows_; }
  std::int64_t skipped() const { return skipped_; }
  std::int64_t set_aside() const { return set_aside_; }

 private:
  std::unique_ptr<imports::RecordSource> inner_;
  Source source_;
  const BookFile& file_;
  bool header_read_ = false, header_given_ = false, has_header_ = false;
  std::vector<std::string> header_;
  Profile profile_;
  std::int64_t rows_ = 0, skipped_ = 0, set_aside_ = 0;
};

// A file's records: CSV streamed, XLSX read whole (it is compressed); an error naming --dir
// when it cannot be opened.
Result<std::unique_ptr<imports::RecordSource>> OpenFile(const std::string& path);
// `file` as `source` writes it, through its profile.
Result<std::unique_ptr<ProfiledRecords>> OpenProfiled(const BookFile& file, Source source);

// Writes the CSV and XLSX files of the zip `bytes` (an export as Salesforce and HubSpot deliver
// it) into `directory`, each by its own name (folders in the zip are not kept, nor names that
// would leave `directory`), and the files' bytes in the export's Attachments and ContentVersion
// folders into those folders; kMalformed naming `file` when it is no zip, or when its files would
// come to more than a hundred times its size (a zip bomb).
Status ExtractZip(const std::string& bytes, const std::string& directory);

// "true", "1", "yes" (any case).
bool IsTrue(std::string_view cell);
// The column of `header` whose normalised name (imports::NormalizeHeader) is `normalised`.
std::optional<std::size_t> IndexOf(const std::vector<std::string>& header,
                                   std::string_view normalised);
// Minor units as people read money: "12,500.00".
std::string Money(std::int64_t minor);

}  // namespace rapport::moving
