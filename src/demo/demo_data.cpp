#include "demo/demo_data.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "accounts/account_revenue.hpp"
#include "core/period.hpp"
#include "db/dialect.hpp"
#include "db/migrations.hpp"
#include "files/attachments.hpp"
#include "success/alerts.hpp"
#include "users/password.hpp"

namespace rapport::demo {
namespace {

// splitmix64: tiny, fast, and the same on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (Lemire's multiply-shift).
  std::int64_t Below(std::int64_t n) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<std::int64_t>((static_cast<U128>(Next()) * static_cast<std::uint64_t>(n)) >>
                                     64);
  }
  std::int64_t Between(std::int64_t lo, std::int64_t hi) { return lo + Below(hi - lo + 1); }
  bool Chance(int percent) { return Below(100) < percent; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[static_cast<size_t>(Below(N))];
  }

 private:
  std::uint64_t state_;
};

using SV = std::string_view;

constexpr std::array<SV, 48> kFirstNames = {
    "Olivia", "Amelia", "Isla",   "Ava",    "Mia",    "Sophia", "Grace",    "Lily",
    "Freya",  "Emily",  "Ella",   "Poppy",  "Aisha",  "Priya",  "Fatima",   "Chloe",
    "Hannah", "Sarah",  "Rachel", "Claire", "Nadia",  "Zara",   "Megan",    "Laura",
    "Oliver", "George", "Noah",   "Arthur", "Harry",  "Leo",    "Jack",     "Oscar",
    "James",  "David",  "Daniel", "Thomas", "Samuel", "Joseph", "Mohammed", "Ravi",
    "Arjun",  "Kwame",  "Liam",   "Connor", "Owen",   "Rhys",   "Ewan",     "Callum"};
constexpr std::array<SV, 56> kLastNames = {
    "Smith",   "Jones",    "Taylor",  "Brown",    "Williams",  "Wilson", "Johnson", "Davies",
    "Patel",   "Robinson", "Wright",  "Thompson", "Evans",     "Walker", "White",   "Roberts",
    "Green",   "Hall",     "Wood",    "Jackson",  "Clarke",    "Khan",   "Hughes",  "Edwards",
    "Hill",    "Moore",    "Clark",   "Harrison", "Scott",     "Young",  "Morris",  "Hussain",
    "Ahmed",   "Ali",      "Shah",    "Singh",    "Okafor",    "Mensah", "Murphy",  "Kelly",
    "O'Brien", "Campbell", "Stewart", "Anderson", "Macdonald", "Reid",   "Fraser",  "Morgan",
    "Price",   "Lewis",    "Bennett", "Cooper",   "Ward",      "Turner", "Parker",  "Chapman"};
constexpr std::array<SV, 12> kStreets = {"Hospital Road", "Infirmary Street", "Station Road",
                                         "High Street",   "Church Lane",      "London Road",
                                         "Victoria Road", "Park Road",        "Mill Lane",
                                         "The Green",     "Queen Street",     "Manor Way"};
constexpr std::array<SV, 40> kTowns = {
    "Ashford",      "Barnsley",  "Bedford",       "Blackburn",   "Bolton",    "Bradford",
    "Brighton",     "Cambridge", "Carlisle",      "Chelmsford",  "Chester",   "Colchester",
    "Coventry",     "Derby",     "Doncaster",     "Durham",      "Exeter",    "Gloucester",
    "Harrogate",    "Hereford",  "Ipswich",       "Kendal",      "Leicester", "Lincoln",
    "Luton",        "Maidstone", "Middlesbrough", "Northampton", "Norwich",   "Oxford",
    "Peterborough", "Plymouth",  "Preston",       "Reading",     "Salisbury", "Sheffield",
    "Stockport",    "Truro",     "Wakefield",     "York"};
constexpr std::array<SV, 8> kRegions = {"North East", "North West", "Yorkshire",  "Midlands",
                                        "East",       "London",     "South East", "South West"};
constexpr std::array<SV, 8> kPostcodeAreas = {"NE", "M", "LS", "B", "CB", "SE", "BN", "EX"};
constexpr std::array<SV, 12> kDepartments = {"Radiology",  "Theatres",       "Pharmacy",
                                             "Cardiology", "Intensive Care", "Emergency Department",
                                             "Endoscopy",  "Renal Unit",     "Sterile Services",
                                             "Maternity",  "Orthopaedics",   "Oncology"};
constexpr std::array<SV, 4> kHospitalKinds = {"General Hospital", "Royal Infirmary",
                                              "District Hospital", "Community Hospital"};
constexpr std::array<SV, 10> kFamilies = {"Imaging",
                                          "Infusion",
                                          "Patient Monitoring",
                                          "Surgical Instruments",
                                          "Wound Care",
                                          "Sterilisation",
                                          "Respiratory",
                                          "Diagnostics",
                                          "Orthopaedic Implants",
                                          "Service Contracts"};
constexpr std::array<SV, 10> kProductWords = {"Pro",  "Max", "Lite",  "Plus", "Core",
                                              "Flex", "Vue", "Sense", "Care", "One"};
constexpr std::array<SV, 10> kFunctions = {
    "clinician", "clinician",          "clinician",          "procurement", "finance",
    "executive", "department_manager", "personal_assistant", "stores",      "it"};
constexpr std::array<SV, 10> kJobTitles = {
    "Consultant",        "Senior Nurse",    "Clinical Lead",      "Procurement Manager",
    "Finance Director",  "Chief Executive", "Department Manager", "PA to the Director",
    "Stores Supervisor", "Head of IT"};
constexpr std::array<SV, 5> kKinds = {"call", "visit", "email", "meeting", "note"};
constexpr std::array<SV, 12> kSubjects = {"Check-in call",         "Quarterly business review",
                                          "Product demonstration", "Training session follow-up",
                                          "Pricing discussion",    "Service issue follow-up",
                                          "Trial kick-off",        "Contract renewal",
                                          "Stock level review",    "Introduction meeting",
                                          "Clinical evaluation",   "Tender clarification"};
constexpr std::array<SV, 6> kOutcomes = {"Positive: wants a proposal",
                                         "Neutral: more information needed",
                                         "Agreed next meeting",
                                         "Raised a concern about delivery times",
                                         "No decision yet",
                                         "Asked for a trial"};
constexpr std::array<SV, 6> kStages = {"prospecting", "qualification", "proposal",
                                       "negotiation", "closed_won",    "closed_lost"};
constexpr std::array<int, 6> kStageProbability = {10, 20, 50, 75, 100, 0};

std::string Lower(SV text) {
  std::string out;
  for (char c : text) {
    if (c == '\'' || c == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string Period(std::int64_t day) { return FormatDate(day).substr(0, 7); }

// Everything the later tables need to know about the earlier ones.
struct World {
  struct UserInfo {
    std::string role;
    int territory = -1;  // index of the territory they cover, or -1
  };
  std::vector<UserInfo> users;                // id = index + 1
  std::vector<std::int64_t> territory_owner;  // leaf territory index -> user id (rep)
  std::vector<std::int64_t> territory_am;     // leaf territory index -> account manager id
  std::vector<std::int64_t> territory_cs;     // leaf territory index -> clinical specialist id
  std::vector<std::int64_t> territory_id;     // leaf territory index -> territory id
  std::vector<std::int64_t> account_owner;    // account id - 1 -> owner user id
  std::vector<int> account_territory;         // account id - 1 -> leaf territory index
  std::vector<char> account_customer;         // account id - 1 -> is a customer
  std::vector<char> account_single_threaded;  // account id - 1 -> one rep, one contact
  std::vector<std::int64_t> first_contact;    // account id - 1 -> first contact id
  std::vector<std::int32_t> contact_count;    // account id - 1 -> number of contacts
  std::vector<std::int64_t> product_price;    // product id - 1 -> list price (minor units)
};

class Filler {
 public:
  Filler(db::Transaction& tx, const DemoOptions& options, std::string password_hash)
      : tx_(tx),
        o_(options),
        rng_(options.seed),
        password_hash_(std::move(password_hash)),
        now_(options.as_of_day * kMicrosPerDay + 17 * 3600 * kMicrosPerSecond) {}

  Result<DemoReport> Run() {
    RAPPORT_RETURN_IF_ERROR(Users());
    RAPPORT_RETURN_IF_ERROR(Territories());
    RAPPORT_RETURN_IF_ERROR(Distributors());
    RAPPORT_RETURN_IF_ERROR(Accounts());
    RAPPORT_RETURN_IF_ERROR(Contacts());
    RAPPORT_RETURN_IF_ERROR(TeamMembers());
    RAPPORT_RETURN_IF_ERROR(Products());
    RAPPORT_RETURN_IF_ERROR(Purchases());
    RAPPORT_RETURN_IF_ERROR(SalesLines());
    RAPPORT_RETURN_IF_ERROR(Opportunities());
    RAPPORT_RETURN_IF_ERROR(Activities());
    RAPPORT_RETURN_IF_ERROR(Tasks());
    RAPPORT_RETURN_IF_ERROR(SuccessPlans());
    RAPPORT_RETURN_IF_ERROR(Cases());
    RAPPORT_RETURN_IF_ERROR(SurveysTrialsAndUsage());
    for (const std::string& table : db::DomainTables()) {
      // Link tables (keyed by the pair they link) have no id.
      const bool link = (table.ends_with("_contacts") && table != "contacts") ||
                        table == "opportunity_splits" || table == "advisory_board_members" ||
                        table == "file_contents";
      if (!link) {
        RAPPORT_RETURN_IF_ERROR(db::ResetIdSequence(tx_, table));
      }
    }
    return report_;
  }

 private:
  // Loads `total` rows into `table`, asking `row(i, values)` for each.
  template <typename MakeRow>
  Status Load(const std::string& table, const std::vector<std::string>& columns, std::int64_t total,
              MakeRow make_row) {
    RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<db::BulkLoader> loader, tx_.Load(table, columns));
    db::Params values;
    const std::int64_t step = std::max<std::int64_t>(1, total / 100);
    Report(table, 0, total);
    for (std::int64_t i = 0; i < total; ++i) {
      values.clear();
      make_row(i, values);
      if (!values.empty()) RAPPORT_RETURN_IF_ERROR(loader->Add(values));
      if ((i + 1) % step == 0 && i + 1 < total) Report(table, i + 1, total);
    }
    RAPPORT_RETURN_IF_ERROR(loader->Finish());
    Report(table, total, total);
    return Ok();
  }

  void Report(std::string_view table, std::int64_t done, std::int64_t total) {
    if (o_.progress) o_.progress(table, done, total);
  }

  std::string PersonName() {
    return std::string(rng_.Pick(kFirstNames)) + " " + std::string(rng_.Pick(kLastNames));
  }

  // A moment within the last `days` days, in working hours.
  Instant PastInstant(std::int64_t days) {
    const std::int64_t day = o_.as_of_day - rng_.Below(days);
    return day * kMicrosPerDay + rng_.Between(8 * 3600, 18 * 3600) * kMicrosPerSecond;
  }

  Status Users() {
    const DemoSize& s = o_.size;
    const int t = s.territories;
    const int rsms = (t + 3) / 4;
    const int admins = std::max(1, s.users / 1000);
    const int executives = std::max(2, s.users / 500);
    struct Band {
      const char* role;
      int count;
    };
    std::vector<Band> bands = {{"admin", admins},
                               {"executive", executives},
                               {"rsm", rsms},
                               {"rep", t + t / 2},
                               {"account_manager", t},
                               {"inside_sales", std::max(1, t / 2)},
                               {"customer_success", std::max(1, t / 2)}};
    int assigned = 0;
    for (const auto& b : bands) assigned += b.count;
    bands.push_back({"clinical_specialist", std::max(1, s.users - assigned)});
    std::vector<std::pair<std::string, int>> roles;  // role, index within role
    for (const auto& b : bands) {
      for (int i = 0; i < b.count; ++i) roles.emplace_back(b.role, i);
    }
    // Ids are 1-based in the order above; find where each role starts.
    auto first_of = [&](std::string_view role) {
      for (size_t i = 0; i < roles.size(); ++i) {
        if (roles[i].first == role) return static_cast<std::int64_t>(i + 1);
      }
      return std::int64_t{1};
    };
    const std::int64_t first_exec = first_of("executive"), first_rsm = first_of("rsm"),
                       first_rep = first_of("rep"), first_am = first_of("account_manager"),
                       first_cs = first_of("clinical_specialist");
    w_.territory_owner.resize(t);
    w_.territory_am.resize(t);
    w_.territory_cs.resize(t);
    for (int i = 0; i < t; ++i) {
      w_.territory_owner[i] = first_rep + i;
      w_.territory_am[i] = first_am + i;
      w_.territory_cs[i] = first_cs + (i % std::max(1, s.users - assigned));
    }
    std::vector<std::string> seen_emails;
    return Load("users",
                {"id", "email", "name", "role", "status", "manager_id", "job_title",
                 "password_hash", "left_at", "created_at", "updated_at", "version"},
                static_cast<std::int64_t>(roles.size()), [&](std::int64_t i, db::Params& v) {
                  const auto& [role, k] = roles[i];
                  const std::int64_t id = i + 1;
                  std::string name = PersonName();
                  if (role == "admin" && k == 0) name = "Alex Admin";
                  const auto space = name.find(' ');
                  std::string email = Lower(name.substr(0, space)) + "." +
                                      Lower(name.substr(space + 1)) + std::to_string(id) +
                                      "@medequip.example";
                  if (role == "admin" && k == 0) email = "admin@medequip.example";
                  // Managers: executives report to the first executive, RSMs to an executive,
                  // everyone in a territory to that territory's RSM.
                  db::Value manager = db::Null();
                  int territory = -1;
                  if (role == "executive" && k > 0) manager = first_exec;
                  if (role == "rsm") manager = first_exec + (k % executives);
                  if (role == "rep" || role == "account_manager" || role == "inside_sales" ||
                      role == "customer_success" || role == "clinical_specialist") {
                    territory = k % t;
                    manager = first_rsm + territory / 4;
                  }
                  w_.users.push_back({role, territory});
                  const char* title = role == "rep"                ? "Territory Manager"
                                      : role == "account_manager"  ? "Key Account Manager"
                                      : role == "rsm"              ? "Regional Sales Manager"
                                      : role == "executive"        ? "Sales Director"
                                      : role == "admin"            ? "CRM Administrator"
                                      : role == "inside_sales"     ? "Inside Sales Executive"
                                      : role == "customer_success" ? "Customer Success Manager"
                                                                   : "Clinical Specialist";
                  // A few people are away or have left, as in any real team.
                  std::string status = "active";
                  if (role == "clinical_specialist" && k % 9 == 8) status = "on_leave";
                  if (role == "rep" && k >= t && k % 5 == 4) status = "left";
                  const Instant created = now_ - (800 + rng_.Below(1500)) * kMicrosPerDay;
                  v = {id,
                       email,
                       name,
                       role,
                       status,
                       manager,
                       std::string(title),
                       password_hash_,
                       status == "left" ? db::Value(now_ - (30 + rng_.Below(300)) * kMicrosPerDay)
                                        : db::Null(),
                       created,
                       created,
                       std::int64_t{1}};
                  if (k == 0 && (role == "admin" || role == "rep" || role == "rsm" ||
                                 role == "account_manager" || role == "executive")) {
                    report_.sign_ins.push_back({email, role, name});
                  }
                });
  }

  Status Territories() {
    const int t = o_.size.territories;
    const int regions = (t + 3) / 4;
    // Regional territories first (owned by RSMs), then the sales territories inside them.
    std::int64_t first_rsm = 0;
    for (size_t i = 0; i < w_.users.size(); ++i) {
      if (w_.users[i].role == "rsm") {
        first_rsm = static_cast<std::int64_t>(i + 1);
        break;
      }
    }
    w_.territory_id.resize(t);
    return Load(
        "territories",
        {"id", "name", "parent_id", "owner_id", "region", "created_at", "updated_at", "version"},
        regions + t, [&](std::int64_t i, db::Params& v) {
          const std::int64_t id = i + 1;
          const Instant created = now_ - 900 * kMicrosPerDay;
          if (i < regions) {
            v = {id,
                 std::string(kRegions[i % 8]) + " Region" +
                     (i >= 8 ? " " + std::to_string(i / 8 + 1) : ""),
                 db::Null(),
                 first_rsm + i,
                 std::string(kRegions[i % 8]),
                 created,
                 created,
                 std::int64_t{1}};
            return;
          }
          const int leaf = static_cast<int>(i - regions);
          w_.territory_id[leaf] = id;
          const int region = leaf / 4;
          v = {id,
               std::string(kTowns[leaf % kTowns.size()]) + " and " +
                   std::string(kTowns[(leaf * 7 + 3) % kTowns.size()]) +
                   (leaf >= 40 ? " " + std::to_string(leaf / 40 + 1) : ""),
               std::int64_t{region + 1},
               w_.territory_owner[leaf],
               std::string(kRegions[region % 8]),
               created,
               created,
               std::int64_t{1}};
        });
  }

  Status Distributors() {
    return Load(
        "distributors",
        {"id", "name", "region", "status", "email", "created_at", "updated_at", "version"},
        o_.size.distributors, [&](std::int64_t i, db::Params& v) {
          const std::int64_t id = i + 1;
          static constexpr std::array<SV, 4> names = {
              "CareLine Medical Supplies", "Northern Clinical Distribution",
              "Meridian Healthcare Logistics", "Albion Medical"};
          const Instant created = now_ - 700 * kMicrosPerDay;
          v = {id,
               std::string(names[i % 4]) + (i >= 4 ? " " + std::to_string(id) : ""),
               std::string(kRegions[(i * 3) % 8]),
               std::string("active"),
               "orders@" + Lower(names[i % 4].substr(0, names[i % 4].find(' '))) + ".example",
               created,
               created,
               std::int64_t{1}};
        });
  }

  // Where the accounts' generation stands in the hierarchy: the system and hospital being filled,
  // how many hospitals and departments they still get; and the territory, owner and status the
  // account being made takes (a hospital's department those of its hospital).
  struct AccountWalk {
    std::int64_t system_id = 0, hospital_id = 0;
    int hospitals_left = 0, departments_left = 0, territory = 0;
    std::string system_town, hospital_town, hospital_name, status = "customer";
    std::int64_t owner = 0;
  };
  // A generated account's own values (the rest follow from its id and territory).
  struct DemoAccount {
    std::string name, type, town;
    db::Value parent = db::Null(), distributor = db::Null(), beds = db::Null();
    std::int64_t cadence = 90;
  };

  // The next account of a system: the system itself, one of its hospitals, or a department of
  // the hospital being filled.
  DemoAccount HierarchyAccount(std::int64_t id, AccountWalk& walk) {
    DemoAccount a;
    if (walk.hospitals_left == 0 && walk.departments_left == 0) {
      // A new health system.
      a.type = "health_system";
      walk.territory = static_cast<int>(rng_.Below(o_.size.territories));
      walk.system_town = std::string(rng_.Pick(kTowns));
      a.name = walk.system_town + (rng_.Chance(50) ? " and District NHS Foundation Trust"
                                                   : " University Hospitals NHS Trust");
      if (id > 40) a.name += " " + std::to_string(id);
      walk.system_id = id;
      a.town = walk.system_town;
      walk.hospitals_left = static_cast<int>(rng_.Between(2, 6));
      walk.owner = w_.territory_owner[walk.territory];
      walk.status = rng_.Chance(80) ? "customer" : (rng_.Chance(70) ? "prospect" : "former");
      a.cadence = 30;
    } else if (walk.departments_left == 0) {
      a.type = "hospital";
      --walk.hospitals_left;
      walk.hospital_town = std::string(rng_.Pick(kTowns));
      walk.hospital_name = walk.hospital_town + " " + std::string(rng_.Pick(kHospitalKinds));
      a.town = walk.hospital_town;
      a.beds = std::int64_t{150 + id * 37 % 1100};
      a.name = walk.hospital_name;
      a.parent = walk.system_id;
      walk.hospital_id = id;
      walk.departments_left = static_cast<int>(rng_.Between(2, 7));
      walk.owner =
          rng_.Chance(50) ? w_.territory_am[walk.territory] : w_.territory_owner[walk.territory];
      a.cadence = 45;
    } else {
      a.type = "department";
      --walk.departments_left;
      a.name = walk.hospital_name + " - " + std::string(kDepartments[walk.departments_left % 12]);
      a.parent = walk.hospital_id;
      a.town = walk.hospital_town;
      a.cadence = 60;
    }
    return a;
  }

  // A practice, pharmacy or care board standing alone.
  DemoAccount StandaloneAccount(AccountWalk& walk) {
    DemoAccount a;
    walk.territory = static_cast<int>(rng_.Below(o_.size.territories));
    const std::int64_t kind = rng_.Below(10);
    a.type = kind < 6 ? "gp_practice" : kind < 9 ? "pharmacy" : "commissioning_group";
    a.town = std::string(rng_.Pick(kTowns));
    a.name = a.type == "gp_practice"
                 ? a.town + " " + std::string(rng_.Pick(kLastNames)) + " Medical Practice"
             : a.type == "pharmacy"
                 ? a.town + " " + std::string(rng_.Pick(kLastNames)) + " Pharmacy"
                 : a.town + " Integrated Care Board";
    walk.owner = w_.territory_owner[walk.territory];
    walk.status = rng_.Chance(45) ? "customer" : (rng_.Chance(80) ? "prospect" : "former");
    a.cadence = 120;
    // Small accounts in some areas are served through a distributor.
    if (o_.size.distributors > 0 && walk.territory % 4 == 3) {
      a.distributor = std::int64_t{1 + walk.territory % o_.size.distributors};
    }
    return a;
  }

  // Account `i`'s row, in the columns Accounts loads.
  void AccountRow(std::int64_t i, std::int64_t hierarchical, AccountWalk& walk, db::Params& v) {
    const std::int64_t id = i + 1;
    DemoAccount a = i < hierarchical ? HierarchyAccount(id, walk) : StandaloneAccount(walk);
    const int territory = walk.territory;
    const std::string& status = walk.status;
    w_.account_owner[i] = walk.owner;
    w_.account_territory[i] = territory;
    w_.account_customer[i] = status == "customer";
    // Some big hospitals rest on one rep and one contact: the revolving-door risk.
    w_.account_single_threaded[i] = a.type == "hospital" && status == "customer" && rng_.Chance(8);
    const std::string region(kRegions[(territory / 4) % 8]);
    const std::string postcode =
        std::string(kPostcodeAreas[(territory / 4) % 8]) + std::to_string(1 + rng_.Below(30)) +
        " " + std::to_string(rng_.Below(10)) + static_cast<char>('A' + rng_.Below(26)) +
        static_cast<char>('A' + rng_.Below(26));
    // Addresses and switchboards follow from the id, so that they draw nothing from rng_
    // and the rest of the demo stays as it was for a seed.
    db::Value street = db::Null(), phone = db::Null();
    if (a.type != "department") {  // a department is at its hospital's address
      street = fmt::format("{} {}", 1 + id % 240, kStreets[id % kStreets.size()]);
      phone = fmt::format("01{:03} {:06}", 100 + id % 900, id * 7919 % 1'000'000);
    }
    db::Value since = db::Null();
    if (status != "prospect") since = FormatDate(o_.as_of_day - 200 - rng_.Below(4000));
    const Instant created = now_ - (30 + rng_.Below(1500)) * kMicrosPerDay;
    v = {id,
         "ACC-" + std::to_string(100000 + id),
         a.name,
         a.parent,
         a.type,
         status,
         since,
         region,
         postcode,
         walk.owner,
         w_.territory_id[territory],
         a.distributor,
         db::Null(),
         a.cadence,
         created,
         created,
         std::int64_t{1},
         street,
         a.town,
         std::string("GB"),
         phone,
         a.beds};
  }

  Status Accounts() {
    const std::int64_t total = o_.size.accounts;
    w_.account_owner.resize(total);
    w_.account_territory.resize(total);
    w_.account_customer.resize(total);
    w_.account_single_threaded.resize(total);
    // Parent ids are known before the child is written: a system, then its hospitals, then each
    // hospital's departments; standalone practices and pharmacies fill the last 15 %.
    const std::int64_t hierarchical = total * 85 / 100;
    AccountWalk walk;
    return Load("accounts",
                {"id",
                 "external_id",
                 "name",
                 "parent_id",
                 "type",
                 "status",
                 "customer_since",
                 "region",
                 "postcode",
                 "owner_id",
                 "territory_id",
                 "distributor_id",
                 "segment",
                 "contact_cadence_days",
                 "created_at",
                 "updated_at",
                 "version",
                 "street",
                 "city",
                 "country",
                 "phone",
                 "beds"},
                total,
                [&](std::int64_t i, db::Params& v) { AccountRow(i, hierarchical, walk, v); });
  }

  Status Contacts() {
    const std::int64_t accounts = o_.size.accounts, total = o_.size.contacts;
    w_.first_contact.resize(accounts);
    w_.contact_count.resize(accounts);
    // Spread contacts evenly, then let single-threaded accounts keep theirs (the one contact who
    // matters is the first).
    std::int64_t next = 1;
    for (std::int64_t a = 0; a < accounts; ++a) {
      const std::int64_t n = total / accounts + (a < total % accounts ? 1 : 0);
      w_.first_contact[a] = next;
      w_.contact_count[a] = static_cast<std::int32_t>(n);
      next += n;
    }
    std::int64_t account = 0;
    return Load("contacts",
                {"id", "external_id", "account_id", "first_name", "last_name", "job_title",
                 "function", "stance", "influence", "colour", "kol", "email", "phone",
                 "reports_to_id", "left_at", "created_at", "updated_at", "version"},
                total, [&](std::int64_t i, db::Params& v) {
                  const std::int64_t id = i + 1;
                  while (account + 1 < accounts && w_.first_contact[account + 1] <= id) ++account;
                  const std::int64_t position = id - w_.first_contact[account];
                  const size_t role = static_cast<size_t>(rng_.Below(kFunctions.size()));
                  const SV first = rng_.Pick(kFirstNames), last = rng_.Pick(kLastNames);
                  static constexpr std::array<SV, 4> colours = {"red", "blue", "green", "yellow"};
                  const std::int64_t stance_roll = rng_.Below(10);
                  const std::string stance = stance_roll < 3   ? "advocate"
                                             : stance_roll < 8 ? "neutral"
                                                               : "detractor";
                  const std::int64_t influence_roll = rng_.Below(10);
                  const std::string influence = influence_roll < 3   ? "high"
                                                : influence_roll < 7 ? "medium"
                                                                     : "low";
                  db::Value reports_to = db::Null();
                  if (position > 0) reports_to = w_.first_contact[account];
                  db::Value left = db::Null();
                  if (rng_.Chance(4)) left = now_ - rng_.Below(300) * kMicrosPerDay;
                  const Instant created = now_ - (20 + rng_.Below(1400)) * kMicrosPerDay;
                  v = {id,
                       "CON-" + std::to_string(500000 + id),
                       account + 1,
                       std::string(first),
                       std::string(last),
                       std::string(kJobTitles[role]),
                       std::string(kFunctions[role]),
                       stance,
                       influence,
                       rng_.Chance(80) ? db::Value(std::string(rng_.Pick(colours))) : db::Null(),
                       std::int64_t{rng_.Chance(5) ? 1 : 0},
                       Lower(first) + "." + Lower(last) + "@nhs-demo.example",
                       "01" + std::to_string(100000000 + rng_.Below(899999999)),
                       reports_to,
                       left,
                       created,
                       created,
                       std::int64_t{1}};
                });
  }

  Status TeamMembers() {
    // Customers get an owner plus, unless single-threaded, an account manager and a clinical
    // specialist from their territory.
    const std::int64_t accounts = o_.size.accounts;
    std::int64_t next_id = 1;
    RAPPORT_RETURN_IF_ERROR(
        Load("account_team_members",
             {"id", "account_id", "user_id", "team_role", "is_primary", "created_at"}, accounts,
             [&](std::int64_t a, db::Params& v) {
               (void)v;
               if (!w_.account_customer[a]) return;
               const int territory = w_.account_territory[a];
               const std::int64_t owner = w_.account_owner[a];
               const Instant created = now_ - 365 * kMicrosPerDay;
               auto add = [&](std::int64_t user, const char* role, int primary) {
                 pending_.push_back(
                     {next_id++, a + 1, user, std::string(role), std::int64_t{primary}, created});
               };
               add(owner, "account_owner", 1);
               if (!w_.account_single_threaded[a]) {
                 if (w_.territory_am[territory] != owner) {
                   add(w_.territory_am[territory], "account_manager", 0);
                 }
                 add(w_.territory_cs[territory], "clinical_specialist", 0);
               }
             }));
    return FlushPending("account_team_members",
                        {"id", "account_id", "user_id", "team_role", "is_primary", "created_at"});
  }

  // Rows collected while walking another table (one account -> several team members).
  Status FlushPending(const std::string& table, const std::vector<std::string>& columns) {
    RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<db::BulkLoader> loader, tx_.Load(table, columns));
    for (const auto& row : pending_) RAPPORT_RETURN_IF_ERROR(loader->Add(row));
    pending_.clear();
    return loader->Finish();
  }

  Status Products() {
    const int total = o_.size.products;
    w_.product_price.resize(total);
    return Load("products",
                {"id", "sku", "name", "family", "lifecycle", "successor_id", "list_price_minor",
                 "currency", "created_at", "updated_at", "version"},
                total, [&](std::int64_t i, db::Params& v) {
                  const std::int64_t id = i + 1;
                  const SV family = kFamilies[i % kFamilies.size()];
                  const bool capital = family == "Imaging" || family == "Patient Monitoring" ||
                                       family == "Sterilisation" || family == "Respiratory";
                  const std::int64_t price =
                      capital ? rng_.Between(800'000, 12'000'000) : rng_.Between(500, 250'000);
                  w_.product_price[i] = price;
                  // The last tenth is retiring or retired, each succeeded by the model of the same
                  // family loaded just before it.
                  std::string lifecycle = "active";
                  db::Value successor = db::Null();
                  if (i >= total - total / 10 && i >= static_cast<std::int64_t>(kFamilies.size())) {
                    lifecycle = i % 3 == 0 ? "retired" : "retiring";
                    successor = static_cast<std::int64_t>(id - kFamilies.size());
                  }
                  const Instant created = now_ - 1000 * kMicrosPerDay;
                  v = {id,
                       "MQ-" + std::to_string(10000 + id),
                       std::string(family.substr(0, family.find(' '))) + " " +
                           std::string(rng_.Pick(kProductWords)) + " " + std::to_string(100 + i),
                       std::string(family),
                       lifecycle,
                       successor,
                       price,
                       std::string("GBP"),
                       created,
                       created,
                       std::int64_t{1}};
                });
  }

  std::int64_t CustomerAccount() {
    for (int tries = 0; tries < 20; ++tries) {
      const std::int64_t a = rng_.Below(o_.size.accounts);
      if (w_.account_customer[a]) return a;
    }
    return rng_.Below(o_.size.accounts);
  }

  Status Purchases() {
    return Load(
        "purchases",
        {"id", "account_id", "product_id", "quantity", "purchased_on", "installed_on",
         "warranty_end", "lot_expiry", "contract_ref", "amount_minor", "currency", "created_at"},
        o_.size.purchases, [&](std::int64_t i, db::Params& v) {
          const std::int64_t a = CustomerAccount();
          const std::int64_t product = rng_.Below(o_.size.products);
          const std::int64_t quantity = rng_.Between(1, 20);
          const std::int64_t bought = o_.as_of_day - rng_.Below(1400);
          const bool consumable = product % 10 == 4 || product % 10 == 7;
          v = {i + 1,
               a + 1,
               product + 1,
               quantity,
               FormatDate(bought),
               consumable ? db::Null() : db::Value(FormatDate(bought + rng_.Between(7, 60))),
               consumable ? db::Null() : db::Value(FormatDate(bought + 365 * rng_.Between(1, 4))),
               consumable ? db::Value(FormatDate(bought + rng_.Between(90, 720))) : db::Null(),
               "CT-" + std::to_string(20000 + i),
               w_.product_price[product] * quantity,
               std::string("GBP"),
               bought * kMicrosPerDay};
        });
  }

  Status SalesLines() {
    return Load("sales_lines",
                {"id", "account_id", "product_id", "period", "revenue_minor", "currency",
                 "quantity", "created_at"},
                o_.size.sales_lines, [&](std::int64_t i, db::Params& v) {
                  const std::int64_t a = CustomerAccount();
                  const std::int64_t product = rng_.Below(o_.size.products);
                  const std::int64_t day = o_.as_of_day - rng_.Below(730);
                  // Single-threaded top accounts buy more.
                  const std::int64_t quantity =
                      rng_.Between(1, 40) * (w_.account_single_threaded[a] ? 5 : 1);
                  const std::int64_t unit =
                      std::max<std::int64_t>(100, w_.product_price[product] / 20);
                  v = {i + 1,           a + 1,
                       product + 1,     Period(day),
                       unit * quantity, std::string("GBP"),
                       quantity,        (day + 3) * kMicrosPerDay};
                });
  }

  Status Opportunities() {
    std::int64_t next_role = 1;
    RAPPORT_RETURN_IF_ERROR(Load(
        "opportunities",
        {"id", "external_id", "account_id", "owner_id", "name", "stage", "amount_minor", "currency",
         "close_date", "probability", "next_step", "lost_reason", "closed_at", "created_at",
         "updated_at", "version"},
        o_.size.opportunities, [&](std::int64_t i, db::Params& v) {
          const std::int64_t id = i + 1;
          const std::int64_t a = rng_.Below(o_.size.accounts);
          const std::int64_t product = rng_.Below(o_.size.products);
          const size_t stage = static_cast<size_t>(rng_.Below(kStages.size()));
          const bool closed = stage >= 4;
          const std::int64_t close_day =
              closed ? o_.as_of_day - rng_.Below(540) : o_.as_of_day + rng_.Between(-20, 270);
          const std::int64_t amount = w_.product_price[product] * rng_.Between(1, 12);
          const Instant created = (close_day - rng_.Between(60, 240)) * kMicrosPerDay;
          static constexpr std::array<SV, 4> lost = {"Price", "Lost to competitor",
                                                     "No budget this year", "Chose to wait"};
          v = {id,
               "OPP-" + std::to_string(300000 + id),
               a + 1,
               w_.account_owner[a],
               std::string(kFamilies[product % kFamilies.size()]) + " " +
                   (rng_.Chance(50) ? "replacement" : "expansion") + " " + std::to_string(id),
               std::string(kStages[stage]),
               amount,
               std::string("GBP"),
               FormatDate(close_day),
               std::int64_t{kStageProbability[stage]},
               closed ? db::Null()
                      : db::Value(std::string("Follow up: ") + std::string(rng_.Pick(kSubjects))),
               stage == 5 ? db::Value(std::string(rng_.Pick(lost))) : db::Null(),
               closed ? db::Value(close_day * kMicrosPerDay) : db::Null(),
               created,
               created,
               std::int64_t{1}};
          StageHistory(id, stage, created, closed ? close_day * kMicrosPerDay : now_,
                       w_.account_owner[a]);
          // The buying influences: up to three of the account's contacts.
          const std::int64_t contacts = w_.contact_count[a];
          static constexpr std::array<SV, 4> roles = {"economic_buyer", "user_buyer",
                                                      "technical_buyer", "coach"};
          const std::int64_t n = std::min<std::int64_t>(contacts, rng_.Between(0, 3));
          for (std::int64_t k = 0; k < n; ++k) {
            pending_.push_back({next_role++, id, w_.first_contact[a] + k, std::string(roles[k])});
          }
        }));
    RAPPORT_RETURN_IF_ERROR(
        FlushPending("opportunity_contact_roles", {"id", "opportunity_id", "contact_id", "role"}));
    return LoadStageMoves();
  }

  // A deal's way through the stages, as the audit trail records it: it opened in prospecting
  // and went up one stage at a time (a lost deal from wherever it had reached), each stage taking
  // a share of the time from opening to `until` (closing, or now for an open deal). From a
  // generator of its own, so the rest of the demo stays as it was.
  void StageHistory(std::int64_t id, size_t stage, Instant opened, Instant until,
                    std::int64_t owner) {
    size_t last_open = stage;
    if (stage == 4) last_open = 3;
    if (stage == 5) last_open = static_cast<size_t>(history_rng_.Below(4));
    std::vector<size_t> path;
    for (size_t k = 0; k <= last_open; ++k) path.push_back(k);
    if (stage >= 4) path.push_back(stage);
    // Demo deals far off may be dated as opened after today: those are still where they began.
    if (path.size() < 2 || until - opened < 2 * kMicrosPerDay) return;
    std::vector<std::int64_t> weights;
    std::int64_t sum = 0;
    // An open deal is still in its last stage: give it a share of the time too.
    const size_t spans = stage >= 4 ? path.size() - 1 : path.size();
    for (size_t k = 0; k < spans; ++k) sum += weights.emplace_back(history_rng_.Between(1, 10));
    const Instant span = until - opened;
    Instant at = opened;
    for (size_t k = 0; k + 1 < path.size(); ++k) {
      at += span * weights[k] / sum;
      stage_moves_.push_back({id, static_cast<std::int8_t>(path[k]),
                              static_cast<std::int8_t>(path[k + 1]), at, owner});
    }
  }

  Status LoadStageMoves() {
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t first,
                             tx_.QueryInt("SELECT coalesce(max(id), 0) FROM audit_history"));
    RAPPORT_RETURN_IF_ERROR(Load("audit_history",
                                 {"id", "table_name", "record_id", "action", "field", "old_value",
                                  "new_value", "changed_by", "changed_at"},
                                 static_cast<std::int64_t>(stage_moves_.size()),
                                 [&](std::int64_t i, db::Params& v) {
                                   const StageMove& m = stage_moves_[static_cast<size_t>(i)];
                                   v = {first + i + 1,
                                        std::string("opportunities"),
                                        m.opportunity_id,
                                        std::string("update"),
                                        std::string("stage"),
                                        std::string(kStages[static_cast<size_t>(m.from)]),
                                        std::string(kStages[static_cast<size_t>(m.to)]),
                                        m.by > 0 ? db::Value(m.by) : db::Null(),
                                        m.at};
                                 }));
    stage_moves_.clear();
    stage_moves_.shrink_to_fit();
    return Ok();  // its id sequence is reset with the other tables at the end
  }

  Status Activities() {
    const std::int64_t total = o_.size.activities;
    // Links are collected and written after the activities (one COPY at a time on PostgreSQL).
    std::vector<std::pair<std::int64_t, std::int64_t>> link_rows;
    link_rows.reserve(static_cast<size_t>(total + total / 2));
    RAPPORT_RETURN_IF_ERROR(Load(
        "activities",
        {"id", "account_id", "user_id", "kind", "occurred_at", "subject", "body", "outcome",
         "next_step", "opportunity_id", "created_at", "updated_at", "version"},
        total, [&](std::int64_t i, db::Params& v) {
          const std::int64_t id = i + 1;
          const std::int64_t a = rng_.Chance(75) ? CustomerAccount() : rng_.Below(o_.size.accounts);
          const int territory = w_.account_territory[a];
          std::int64_t user = w_.account_owner[a];
          if (!w_.account_single_threaded[a] && rng_.Chance(40)) {
            user = rng_.Chance(50) ? w_.territory_am[territory] : w_.territory_cs[territory];
          }
          const Instant at = PastInstant(730);
          const SV subject = rng_.Pick(kSubjects);
          v = {id,
               a + 1,
               user,
               std::string(rng_.Pick(kKinds)),
               at,
               std::string(subject),
               "Discussed " + Lower(subject.substr(0, 1)) + std::string(subject.substr(1)) +
                   " with the team.",
               std::string(rng_.Pick(kOutcomes)),
               rng_.Chance(60) ? db::Value(std::string("Send summary and agree a date"))
                               : db::Null(),
               db::Null(),
               at,
               at,
               std::int64_t{1}};
          const std::int64_t contacts = w_.contact_count[a];
          if (contacts > 0) {
            const std::int64_t first = w_.first_contact[a];
            const std::int64_t who = w_.account_single_threaded[a] ? 0 : rng_.Below(contacts);
            link_rows.emplace_back(id, first + who);
            if (!w_.account_single_threaded[a] && contacts > 1 && rng_.Chance(30)) {
              link_rows.emplace_back(id, first + (who + 1) % contacts);
            }
          }
        }));
    return Load("activity_contacts", {"activity_id", "contact_id"},
                static_cast<std::int64_t>(link_rows.size()), [&](std::int64_t i, db::Params& v) {
                  v = {link_rows[i].first, link_rows[i].second};
                });
  }

  // A customer account with at least one contact (its index), and one of those contacts' ids.
  std::pair<std::int64_t, std::int64_t> CustomerWithContact() {
    std::int64_t a = CustomerAccount();
    for (int tries = 0; tries < 20 && w_.contact_count[a] == 0; ++tries) a = CustomerAccount();
    const std::int64_t count = w_.contact_count[a];
    return {a, count == 0 ? 0 : w_.first_contact[a] + rng_.Below(count)};
  }

  // Success plans in the customer's words, each with four milestones; the rep's commission is
  // held back against training and go-live.
  Status SuccessPlans() {
    static constexpr std::array<SV, 4> titles = {"Infusion safety programme", "Imaging uptime",
                                                 "Theatre throughput", "Wound care savings"};
    static constexpr std::array<SV, 4> definitions = {
        "No pump alarm on the ward goes unanswered for more than two minutes",
        "The scanner is there when a patient is on the table: 99% of clinic hours",
        "Two more lists a week without extra staff",
        "Fewer dressing changes and 10% off the dressing budget by year end"};
    const std::int64_t plans = std::max<std::int64_t>(20, o_.size.accounts / 10);
    std::vector<std::pair<std::int64_t, std::int64_t>> plan_start_contact;  // start day, contact
    std::vector<std::int64_t> plan_account;
    RAPPORT_RETURN_IF_ERROR(Load(
        "success_plans",
        {"id", "account_id", "owner_id", "title", "customer_definition", "defined_by_contact_id",
         "defined_on", "status", "contract_value_minor", "currency", "commission_user_id",
         "commission_minor", "commission_earned_on", "grace_days", "created_at", "updated_at",
         "version"},
        plans, [&](std::int64_t i, db::Params& v) {
          const auto [a, contact] = CustomerWithContact();
          const std::int64_t start = o_.as_of_day - rng_.Below(300);
          const std::int64_t value =
              w_.product_price[rng_.Below(o_.size.products)] * rng_.Between(5, 40);
          const size_t theme = static_cast<size_t>(rng_.Below(4));
          const std::int64_t am = w_.territory_am[w_.account_territory[a]];
          plan_start_contact.emplace_back(start, contact);
          plan_account.push_back(a);
          v = {i + 1,
               a + 1,
               am,
               std::string(titles[theme]),
               std::string(definitions[theme]),
               contact == 0 ? db::Null() : db::Value(contact),
               FormatDate(start - rng_.Between(5, 30)),
               std::string(start < o_.as_of_day - 200 && rng_.Chance(50) ? "achieved" : "active"),
               value,
               std::string("GBP"),
               w_.account_owner[a],
               value * 5 / 100,
               FormatDate(start),
               std::int64_t{30},
               start * kMicrosPerDay,
               start * kMicrosPerDay,
               std::int64_t{1}};
        }));
    struct Step {
      SV name, kind;
      int after_days, payment, holdback;
    };
    static constexpr std::array<Step, 4> steps = {
        Step{"Installed", "installed", 14, 25, 0}, Step{"Staff trained", "training", 30, 25, 20},
        Step{"Go-live", "go_live", 45, 25, 30}, Step{"First review", "first_review", 120, 25, 0}};
    RAPPORT_RETURN_IF_ERROR(SignedPlans(plan_start_contact, plan_account));
    return Load("milestones",
                {"id", "success_plan_id", "account_id", "name", "kind", "due_on", "owner_id",
                 "customer_owner_id", "status", "met_on", "evidence", "payment_share_percent",
                 "commission_holdback_percent", "created_at", "updated_at", "version"},
                plans * 4, [&](std::int64_t i, db::Params& v) {
                  const std::int64_t plan = i / 4;
                  const Step& step = steps[static_cast<size_t>(i % 4)];
                  const auto [start, contact] = plan_start_contact[static_cast<size_t>(plan)];
                  const std::int64_t a = plan_account[static_cast<size_t>(plan)];
                  const std::int64_t due = start + step.after_days;
                  const bool past = due < o_.as_of_day - 5;
                  const bool met = past && rng_.Chance(85);
                  const std::int64_t met_on = due + rng_.Between(-4, 10);
                  v = {i + 1,
                       plan + 1,
                       a + 1,
                       std::string(step.name),
                       std::string(step.kind),
                       FormatDate(due),
                       w_.territory_am[w_.account_territory[a]],
                       contact == 0 ? db::Null() : db::Value(contact),
                       std::string(met    ? "met"
                                   : past ? "missed"
                                          : "planned"),
                       met ? db::Value(FormatDate(std::min(met_on, o_.as_of_day))) : db::Null(),
                       met ? db::Value(std::string("Signed off by the ward manager")) : db::Null(),
                       std::int64_t{step.payment},
                       std::int64_t{step.holdback},
                       start * kMicrosPerDay,
                       start * kMicrosPerDay,
                       std::int64_t{1}};
                });
  }

  // The signed copy of the first success plans, attached to each as a PDF.
  Status SignedPlans(const std::vector<std::pair<std::int64_t, std::int64_t>>& plan_start_contact,
                     const std::vector<std::int64_t>& plan_account) {
    const std::int64_t signed_plans =
        std::min<std::int64_t>(1000, static_cast<std::int64_t>(plan_account.size()));
    std::vector<std::string> pdfs, hashes;
    for (std::int64_t i = 0; i < signed_plans; ++i) {
      const auto [start, contact] = plan_start_contact[static_cast<size_t>(i)];
      pdfs.push_back(
          fmt::format("%PDF-1.4\n1 0 obj << /Title (Success plan {}, account {}) >> endobj\n"
                      "2 0 obj << /Length 60 >> stream\nBT (Signed by both parties on {}) Tj ET\n"
                      "endstream endobj\n%%EOF\n",
                      i + 1, plan_account[static_cast<size_t>(i)] + 1, FormatDate(start)));
      hashes.push_back(files::Sha256Hex(pdfs.back()));
    }
    RAPPORT_RETURN_IF_ERROR(
        Load("file_contents", {"sha256", "size_bytes", "content"}, signed_plans,
             [&](std::int64_t i, db::Params& v) {
               const auto n = static_cast<size_t>(i);
               v = {hashes[n], static_cast<std::int64_t>(pdfs[n].size()), db::Blob{pdfs[n]}};
             }));
    return Load("attachments",
                {"id", "success_plan_id", "file_name", "content_type", "size_bytes", "sha256",
                 "description", "uploaded_by", "created_at", "updated_at", "version"},
                signed_plans, [&](std::int64_t i, db::Params& v) {
                  const auto n = static_cast<size_t>(i);
                  const std::int64_t a = plan_account[n];
                  const Instant at = plan_start_contact[n].first * kMicrosPerDay;
                  v = {i + 1,
                       i + 1,
                       std::string("Signed success plan.pdf"),
                       std::string("application/pdf"),
                       static_cast<std::int64_t>(pdfs[n].size()),
                       hashes[n],
                       std::string("The plan as the customer signed it"),
                       w_.territory_am[w_.account_territory[a]],
                       at,
                       at,
                       std::int64_t{1}};
                });
  }

  // Service cases over the last year with their service levels and a two-message thread.
  Status Cases() {
    static constexpr std::array<SV, 6> kinds = {"billing_query", "complaint", "technical",
                                                "return",        "order",     "other"};
    static constexpr std::array<SV, 6> subjects = {
        "Invoice does not match the order", "Delivery arrived damaged",
        "Pump shows an occlusion alarm",    "Return of short-dated stock",
        "Change to the standing order",     "Question about the service contract"};
    static constexpr std::array<SV, 4> priorities = {"low", "normal", "normal", "high"};
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> levels;
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows slas,
        tx_.Query("SELECT kind, priority, first_response_hours, resolution_hours FROM case_slas"));
    for (const auto& r : slas)
      levels[{r.Text("kind"), r.Text("priority")}] = {r.Int("first_response_hours"),
                                                      r.Int("resolution_hours")};
    const std::int64_t total = std::max<std::int64_t>(30, o_.size.accounts / 5);
    struct Opened {
      Instant at, first_response;
      std::int64_t contact, owner;
    };
    std::vector<Opened> opened;
    opened.reserve(static_cast<size_t>(total));
    const std::int64_t hour = 3600 * kMicrosPerSecond;
    RAPPORT_RETURN_IF_ERROR(
        Load("cases",
             {"id",
              "account_id",
              "contact_id",
              "kind",
              "priority",
              "subject",
              "description",
              "owner_id",
              "departments",
              "status",
              "opened_at",
              "first_response_due_at",
              "resolution_due_at",
              "first_response_at",
              "resolved_at",
              "resolution",
              "escalation_level",
              "created_at",
              "updated_at",
              "version"},
             total, [&](std::int64_t i, db::Params& v) {
               const auto [a, contact] = CustomerWithContact();
               const size_t k = static_cast<size_t>(rng_.Below(6));
               const std::string kind(kinds[k]), priority(rng_.Pick(priorities));
               const auto [first_hours, resolve_hours] = levels[{kind, priority}];
               const Instant at = PastInstant(365);
               const Instant first = at + first_hours * hour * rng_.Between(20, 150) / 100;
               const Instant resolved = at + resolve_hours * hour * rng_.Between(30, 140) / 100;
               const bool done = resolved < now_ - 2 * kMicrosPerDay;
               const std::int64_t owner = w_.territory_am[w_.account_territory[a]];
               opened.push_back({at, std::min(first, now_), contact, owner});
               v = {i + 1,
                    a + 1,
                    contact == 0 ? db::Null() : db::Value(contact),
                    kind,
                    priority,
                    std::string(subjects[k]),
                    std::string("Raised by phone."),
                    owner,
                    std::string(kind == "billing_query" ? "billing" : "service, logistics"),
                    std::string(done ? (rng_.Chance(70) ? "closed" : "resolved") : "open"),
                    at,
                    at + first_hours * hour,
                    at + resolve_hours * hour,
                    std::min(first, now_),
                    done ? db::Value(resolved) : db::Null(),
                    done ? db::Value(std::string("Sorted with the customer")) : db::Null(),
                    std::int64_t{0},
                    at,
                    done ? resolved : at,
                    std::int64_t{1}};
             }));
    return Load("case_messages",
                {"id", "case_id", "direction", "author_id", "contact_id", "body", "created_at"},
                total * 2, [&](std::int64_t i, db::Params& v) {
                  const Opened& o = opened[static_cast<size_t>(i / 2)];
                  const bool inbound = i % 2 == 0;
                  v = {i + 1,
                       i / 2 + 1,
                       std::string(inbound ? "inbound" : "outbound"),
                       inbound ? db::Null() : db::Value(o.owner),
                       inbound && o.contact != 0 ? db::Value(o.contact) : db::Null(),
                       std::string(inbound ? "Could someone look at this, please?"
                                           : "Thank you, we are on it and will call you back."),
                       inbound ? o.at : o.first_response};
                });
  }

  // Survey answers (and some still waiting), trials and what customers report they used.
  Status SurveysTrialsAndUsage() {
    static constexpr std::array<SV, 3> kinds = {"nps", "csat", "csi"};
    const std::int64_t surveys = std::max<std::int64_t>(20, o_.size.accounts / 8);
    RAPPORT_RETURN_IF_ERROR(
        Load("surveys",
             {"id", "account_id", "contact_id", "kind", "sent_after", "sent_by_id", "token_hash",
              "status", "expires_at", "score", "comment", "answered_at", "created_at", "updated_at",
              "version"},
             surveys, [&](std::int64_t i, db::Params& v) {
               const auto [a, contact] = CustomerWithContact();
               if (contact == 0) return;
               const std::string kind(rng_.Pick(kinds));
               const Instant sent = PastInstant(365);
               const bool answered = sent < now_ - 3 * kMicrosPerDay && rng_.Chance(80);
               const std::int64_t score = kind == "nps"    ? rng_.Between(3, 10)
                                          : kind == "csat" ? rng_.Between(2, 5)
                                                           : rng_.Between(4, 10);
               v = {i + 1,
                    a + 1,
                    contact,
                    kind,
                    std::string(rng_.Chance(50) ? "schedule" : "manual"),
                    w_.account_owner[a],
                    "demo-survey-" + std::to_string(i + 1),
                    std::string(answered ? "answered" : "sent"),
                    sent + 30 * kMicrosPerDay,
                    answered ? db::Value(score) : db::Null(),
                    answered && rng_.Chance(40)
                        ? db::Value(std::string(score >= 8 ? "Very helpful team" : "Slow to reply"))
                        : db::Null(),
                    answered ? db::Value(sent + rng_.Between(1, 72) * 3600 * kMicrosPerSecond)
                             : db::Null(),
                    sent,
                    sent,
                    std::int64_t{1}};
             }));
    const std::int64_t trials = std::max<std::int64_t>(10, o_.size.accounts / 40);
    RAPPORT_RETURN_IF_ERROR(Load(
        "trials",
        {"id", "account_id", "product_id", "owner_id", "starts_on", "ends_on", "objectives",
         "success_criteria", "status", "results", "decision", "decided_on", "created_at",
         "updated_at", "version"},
        trials, [&](std::int64_t i, db::Params& v) {
          const std::int64_t a = CustomerAccount();
          const std::int64_t start = o_.as_of_day - rng_.Below(200);
          const std::int64_t end = start + rng_.Between(14, 60);
          const bool ended = end < o_.as_of_day;
          const bool decided = ended && rng_.Chance(70);
          v = {i + 1,
               a + 1,
               rng_.Below(o_.size.products) + 1,
               w_.account_owner[a],
               FormatDate(start),
               FormatDate(end),
               std::string("Show the ward the product works in their hands"),
               std::string("Staff rate it 4 of 5 or better; no more incidents than now"),
               std::string(ended                   ? "ended"
                           : start <= o_.as_of_day ? "running"
                                                   : "planned"),
               ended ? db::Value(std::string("Staff liked it; two incidents fewer")) : db::Null(),
               decided ? db::Value(std::string(rng_.Chance(70) ? "adopt" : "reject")) : db::Null(),
               decided ? db::Value(FormatDate(end + 7)) : db::Null(),
               start * kMicrosPerDay,
               start * kMicrosPerDay,
               std::int64_t{1}};
        }));
    // Usage for the last three months at a tenth of the accounts.
    const std::int64_t reporting = std::max<std::int64_t>(10, o_.size.accounts / 10);
    std::vector<std::string> months;
    rapport::Period month = MonthOf(o_.as_of_day).Previous();
    for (int m = 0; m < 3; ++m, month = month.Previous()) months.push_back(month.label);
    return Load("usage_records",
                {"id", "account_id", "product_id", "period", "quantity", "created_at", "updated_at",
                 "version"},
                reporting * 3, [&](std::int64_t i, db::Params& v) {
                  // Account i/3 of the book, each with one product of its own.
                  const std::int64_t a = (i / 3) * (o_.size.accounts / reporting);
                  v = {i + 1,
                       a + 1,
                       (a % o_.size.products) + 1,
                       months[static_cast<size_t>(i % 3)],
                       rng_.Between(1, 10),
                       now_,
                       now_,
                       std::int64_t{1}};
                });
  }

  Status Tasks() {
    return Load("tasks",
                {"id", "owner_id", "account_id", "related_type", "related_id", "subject", "due_on",
                 "done_at", "created_at", "updated_at", "version"},
                o_.size.tasks, [&](std::int64_t i, db::Params& v) {
                  const std::int64_t a = rng_.Below(o_.size.accounts);
                  const std::int64_t due = o_.as_of_day + rng_.Between(-30, 45);
                  const bool done = due < o_.as_of_day && rng_.Chance(60);
                  const Instant created = (due - rng_.Between(5, 40)) * kMicrosPerDay;
                  v = {i + 1,           w_.account_owner[a],
                       a + 1,           db::Null(),
                       db::Null(),      std::string(rng_.Pick(kSubjects)),
                       FormatDate(due), done ? db::Value(due * kMicrosPerDay) : db::Null(),
                       created,         created,
                       std::int64_t{1}};
                });
  }

  db::Transaction& tx_;
  const DemoOptions& o_;
  Rng rng_;
  std::string password_hash_;
  Instant now_;
  World w_;
  std::vector<db::Params> pending_;
  struct StageMove {
    std::int64_t opportunity_id;
    std::int8_t from, to;
    Instant at;
    std::int64_t by;
  };
  std::vector<StageMove> stage_moves_;
  Rng history_rng_{0x57A6E};
  DemoReport report_;
};

}  // namespace

DemoSize SizeOf(Scale scale) {
  if (scale == Scale::kSmall) return DemoSize{};
  DemoSize large;
  large.territories = 400;
  large.users = 2'000;
  large.distributors = 12;
  large.accounts = 1'000'000;
  large.contacts = 5'000'000;
  large.activities = 20'000'000;
  large.opportunities = 1'000'000;
  large.products = 2'000;
  large.sales_lines = 10'000'000;
  large.purchases = 500'000;
  large.tasks = 1'000'000;
  return large;
}

Result<DemoReport> FillDemo(db::Database& database, const DemoOptions& options) {
  // One hash for every demo user: hashing is deliberately slow, and they share the password.
  RAPPORT_ASSIGN_OR_RETURN(std::string hash, users::HashPassword(kDemoPassword));
  DemoReport report;
  RAPPORT_RETURN_IF_ERROR(database.Write([&](db::Transaction& tx) -> Status {
    for (const char* table : {"users", "accounts"}) {
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t n,
                               tx.QueryInt(std::string("SELECT count(*) FROM ") + table));
      if (n > 0) {
        return Error(ErrorCode::kFailedPrecondition, "the database already holds " +
                                                         std::to_string(n) + " " + table +
                                                         "; the demo fills only an empty database");
      }
    }
    // Rows first, indexes after: building an index once is far cheaper than keeping it sorted
    // through millions of inserts.
    RAPPORT_RETURN_IF_ERROR(db::TuneForBulkLoad(tx));
    RAPPORT_ASSIGN_OR_RETURN(std::vector<std::string> restore,
                             db::SuspendIndexes(tx, db::DomainTables()));
    Filler filler(tx, options, hash);
    RAPPORT_ASSIGN_OR_RETURN(report, filler.Run());
    if (options.progress) options.progress("indexes", 0, static_cast<std::int64_t>(restore.size()));
    for (size_t i = 0; i < restore.size(); ++i) {
      RAPPORT_RETURN_IF_ERROR(tx.ExecuteScript(restore[i]));
      if (options.progress) {
        options.progress("indexes", static_cast<std::int64_t>(i + 1),
                         static_cast<std::int64_t>(restore.size()));
      }
    }
    // Planner statistics for what was just loaded (PostgreSQL plans the queries below by them).
    RAPPORT_RETURN_IF_ERROR(db::AnalyzeAfterBulkLoad(tx));
    // Revenue over the trailing year, for ranking accounts (as of the demo's day).
    RAPPORT_RETURN_IF_ERROR(
        accounts::RefreshAccountRevenue(tx, options.as_of_day * kMicrosPerDay + kMicrosPerDay / 2));
    // Tonight's alerts over all of it, as the nightly job would raise them: with the indexes
    // back (without them, PostgreSQL read 20M activities for each account).
    if (options.progress) options.progress("alerts", 0, 1);
    RAPPORT_ASSIGN_OR_RETURN(
        std::string alerts,
        success::RaiseAlerts(tx, options.as_of_day * kMicrosPerDay + 17 * 3600 * kMicrosPerSecond,
                             {}));
    (void)alerts;
    if (options.progress) options.progress("alerts", 1, 1);
    for (const std::string& table : db::DomainTables()) {
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t n, tx.QueryInt("SELECT count(*) FROM " + table));
      report.rows_per_table.emplace_back(table, n);
    }
    return Ok();
  }));
  return report;
}

}  // namespace rapport::demo
