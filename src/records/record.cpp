#include "records/record.hpp"

namespace rapport::records {

const Field* Record::Find(std::string_view column) const {
  for (const Field& f : fields) {
    if (f.column == column) return &f;
  }
  return nullptr;
}

}  // namespace rapport::records
