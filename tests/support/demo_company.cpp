#include "support/demo_company.hpp"

#include <gtest/gtest.h>

#include <map>

#include "support/run_command.hpp"
#include "support/test_clock.hpp"

namespace rapport::testing {

std::int64_t DemoCompany::Count(const std::string& sql, const db::Params& params) const {
  std::int64_t n = -1;
  const Status s = database->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(n, tx.QueryInt(sql, params));
    return Ok();
  });
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  return n;
}

int DemoCompany::Doctor() const {
  return RunCommand({RAPPORT_BINARY, "doctor", "--db", db->url()}).exit_code;
}

DemoCompany& DemoCompanyFor(db::Backend backend, const std::vector<std::string>& serve_args) {
  static std::map<db::Backend, std::unique_ptr<DemoCompany>> companies;
  auto& company = companies[backend];
  if (company) return *company;
  company = std::make_unique<DemoCompany>();
  company->db = std::make_unique<TestDatabase>(backend);
  if (!company->db->available()) return *company;
  const auto demo = RunCommand(
      {RAPPORT_BINARY, "demo", "--db", company->db->url(), "--seed", "7", "--as-of", TestDate()});
  EXPECT_EQ(demo.exit_code, 0) << demo.err;
  company->database = company->db->Open();
  company->server = std::make_unique<ApiServer>(company->db->url(), serve_args);
  company->admin = company->server->Login("admin@medequip.example");
  return *company;
}

}  // namespace rapport::testing
