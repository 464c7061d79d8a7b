// The election against a real ZooKeeper server (tests/support/
// zookeeper_process.h) with 2 s sessions; members in this process, and in
// zk_member processes that are killed (-9) and paused (SIGSTOP) like nodes.
#include "adapters/zookeeper/election.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/free_port.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait_for.h"
#include "tests/support/zookeeper_process.h"

namespace loyalty::zk {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr int kSessionMs = 2000;
// A dead primary's session expires after kSessionMs; the rest is margin for
// a loaded 2-core machine (a JVM, two test processes, the lead's builds).
constexpr milliseconds kFailoverWithin = milliseconds(kSessionMs) + 6s;

bool Holds(const Leadership& l, const std::string& node_id) {
  return l.primary.holder && l.primary.holder->node_id == node_id;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Every epoch any member took, in the order taken, and when.
class EpochLog {
 public:
  Election::Listener For(const std::string& node_id) {
    return [this, node_id](const Leadership& l) {
      if (l.role != Role::kPrimary) return;
      std::lock_guard lock(mu_);
      taken_.push_back({node_id, l.epoch, NowNs()});
    };
  }
  struct Taken {
    std::string node_id;
    uint64_t epoch;
    int64_t at_ns;
  };
  std::vector<Taken> taken() const {
    std::lock_guard lock(mu_);
    return taken_;
  }
  // The listener runs after waiters on the state are woken: wait for it too.
  std::vector<Taken> WaitFor(size_t count) const {
    loyalty::testing::WaitFor([&] { return taken().size() >= count; }, 5s);
    return taken();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Taken> taken_;
};

// A zk_member process writing its lines to a file (member_main.cc).
class MemberProcess {
 public:
  MemberProcess(const std::string& servers, const std::string& node_id) {
    const std::vector<std::string> argv = {
        ZK_MEMBER_PATH, servers, node_id, "127.0.0.1:" + node_id, std::to_string(kSessionMs),
        out_path()};
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(ZK_MEMBER_PATH, args.data());
      ::_exit(127);
    }
  }
  ~MemberProcess() { Kill(); }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void Signal(int signal) const { ::kill(pid_, signal); }
  std::string out_path() const { return dir_.Sub("out"); }
  std::vector<std::string> Lines() const {
    std::ifstream in(out_path());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  bool Said(const std::string& prefix) const {
    for (const std::string& line : Lines()) {
      if (line.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }
  // The times of its "ack EPOCH T_NS" lines.
  std::vector<int64_t> AckTimes() const {
    std::vector<int64_t> times;
    for (const std::string& line : Lines()) {
      std::istringstream in(line);
      std::string word;
      uint64_t epoch = 0;
      int64_t t = 0;
      if (in >> word >> epoch >> t && word == "ack") times.push_back(t);
    }
    return times;
  }

 private:
  loyalty::testing::TempDir dir_;
  pid_t pid_ = -1;
};

class ElectionTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(zk_.ok()) << zk_.error(); }

  ElectionOptions Options() const {
    ElectionOptions o;
    o.servers = zk_.address();
    o.session_timeout_ms = kSessionMs;
    return o;
  }
  std::unique_ptr<Election> JoinAs(const std::string& node_id,
                                   Election::Listener listener = nullptr) {
    auto joined = Election::Join(Options(), {node_id, "127.0.0.1:" + node_id}, listener);
    EXPECT_TRUE(joined.ok()) << joined.status().ToString();
    return joined.ok() ? std::move(joined).value() : nullptr;
  }
  static bool WaitPrimaryNamed(const Election& e, const std::string& node_id) {
    return e.WaitUntil([&](const Leadership& l) { return Holds(l, node_id); }, kFailoverWithin);
  }
  static bool WaitRole(const Election& e, Role role, milliseconds within = kFailoverWithin) {
    return e.WaitUntil([&](const Leadership& l) { return l.role == role; }, within);
  }

  loyalty::testing::ZooKeeperProcess zk_;
};

TEST_F(ElectionTest, ThreeMembersElectExactlyOnePrimaryAndAllNameIt) {
  auto a = JoinAs("a");
  auto b = JoinAs("b");
  auto c = JoinAs("c");
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(a->IsPrimary());
  EXPECT_EQ(a->Current().epoch, 1u);
  EXPECT_FALSE(b->IsPrimary());
  EXPECT_FALSE(c->IsPrimary());
  EXPECT_EQ(b->Current().role, Role::kStandby);
  EXPECT_EQ(c->Current().role, Role::kStandby);
  for (const Election* e : {a.get(), b.get(), c.get()}) {
    ASSERT_TRUE(WaitPrimaryNamed(*e, "a"));
    EXPECT_EQ(e->Primary()->address, "127.0.0.1:a");
    EXPECT_EQ(e->Current().primary.epoch, 1u);
  }
  std::cout << "ZooKeeper started in " << zk_.startup().count() << " ms\n";
}

// The heartbeats renew the lease: over three leases the primary never
// stops being primary and never takes a new epoch.
TEST_F(ElectionTest, APrimaryKeepsItsLeaseAndEpochWhileZooKeeperAnswers) {
  auto a = JoinAs("a");
  auto b = JoinAs("b");
  ASSERT_TRUE(a && b);
  const Leadership before = a->Current();
  const auto until = Clock::now() + 3 * milliseconds(kSessionMs / 2);
  int samples = 0;
  while (Clock::now() < until) {
    ASSERT_TRUE(a->IsPrimary()) << "after " << samples << " samples: " << a->Current().reason;
    ++samples;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(a->Current().epoch, before.epoch);
  EXPECT_EQ(a->Current().changes, before.changes);
  EXPECT_EQ(b->Current().role, Role::kStandby);
}

// No herd: ZooKeeper's own watch list (wchp) shows each member's znode
// watched by one session, the next one's, and the last one's by none.
TEST_F(ElectionTest, EachStandbyWatchesOnlyTheMemberJustBeforeIt) {
  auto a = JoinAs("a");
  auto b = JoinAs("b");
  auto c = JoinAs("c");
  ASSERT_TRUE(a && b && c);
  // Member znode -> how many sessions watch it, from ZooKeeper's `wchp`.
  std::string listing;
  std::vector<std::pair<std::string, int>> watched;
  const auto parse = [&] {
    listing = zk_.Command("wchp");
    watched.clear();
    bool counting = false;
    std::istringstream lines(listing);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line[0] == '/') {
        counting = line.rfind("/loyalty/nodes/", 0) == 0;
        if (counting) watched.push_back({line, 0});
      } else if (counting && !line.empty() && line[0] == '\t') {
        ++watched.back().second;
      }
    }
    return watched.size() == 2;  // a's (watched by b) and b's (by c)
  };
  ASSERT_TRUE(loyalty::testing::WaitFor(parse, 5s)) << listing;
  for (const auto& [path, sessions] : watched) EXPECT_EQ(sessions, 1) << listing;
}

TEST_F(ElectionTest, ClosingThePrimaryMakesTheNextOnePrimaryWithAHigherEpoch) {
  EpochLog log;
  auto a = JoinAs("a", log.For("a"));
  auto b = JoinAs("b", log.For("b"));
  auto c = JoinAs("c", log.For("c"));
  ASSERT_TRUE(a && b && c);
  const uint64_t first = a->Current().epoch;

  auto started = Clock::now();
  a.reset();  // closes the session: the znode goes at once
  ASSERT_TRUE(WaitRole(*b, Role::kPrimary)) << b->Current().reason;
  std::cout << "b took over in "
            << std::chrono::duration_cast<milliseconds>(Clock::now() - started).count() << " ms\n";
  EXPECT_GT(b->Current().epoch, first);
  EXPECT_TRUE(b->IsPrimary());
  EXPECT_FALSE(c->IsPrimary());
  ASSERT_TRUE(WaitPrimaryNamed(*c, "b"));

  b.reset();
  ASSERT_TRUE(WaitRole(*c, Role::kPrimary)) << c->Current().reason;
  EXPECT_TRUE(c->IsPrimary());
  const auto taken = log.WaitFor(3);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken[0].node_id, "a");
  EXPECT_EQ(taken[1].node_id, "b");
  EXPECT_EQ(taken[2].node_id, "c");
  EXPECT_LT(taken[0].epoch, taken[1].epoch);
  EXPECT_LT(taken[1].epoch, taken[2].epoch);
}

// A planned switchover: the primary resigns, stops acting at once, the next
// member takes over without waiting for a timeout, and the one that resigned
// is now last in the queue.
TEST_F(ElectionTest, AResigningPrimaryHandsOverAtOnceAndGoesToTheEndOfTheQueue) {
  EpochLog log;
  auto a = JoinAs("a", log.For("a"));
  auto b = JoinAs("b", log.For("b"));
  auto c = JoinAs("c", log.For("c"));
  ASSERT_TRUE(a && b && c);
  const auto started = Clock::now();
  a->Resign();
  EXPECT_FALSE(a->IsPrimary());
  ASSERT_TRUE(WaitRole(*b, Role::kPrimary)) << b->Current().reason;
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  std::cout << "b took over " << took.count() << " ms after a resigned\n";
  EXPECT_LT(took, milliseconds(kSessionMs));  // not by a session expiry
  ASSERT_TRUE(a->WaitUntil(
      [](const Leadership& l) { return l.role == Role::kStandby && Holds(l, "b"); }, 5s))
      << a->Current().reason;
  EXPECT_FALSE(a->IsPrimary());

  b.reset();  // c, not a, is next
  ASSERT_TRUE(WaitRole(*c, Role::kPrimary)) << c->Current().reason;
  EXPECT_EQ(a->Current().role, Role::kStandby);
  const auto taken = log.WaitFor(3);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken[1].node_id, "b");
  EXPECT_EQ(taken[2].node_id, "c");
  EXPECT_LT(taken[1].epoch, taken[2].epoch);
}

TEST_F(ElectionTest, AKilledPrimaryProcessIsReplacedOnceItsSessionExpires) {
  MemberProcess p(zk_.address(), "p");
  ASSERT_TRUE(loyalty::testing::WaitFor([&] { return p.Said("change primary 1 p"); }, 15s))
      << "zk_member did not become primary";
  auto b = JoinAs("b");
  auto c = JoinAs("c");
  ASSERT_TRUE(b && c);
  ASSERT_TRUE(WaitPrimaryNamed(*b, "p"));

  const auto killed = Clock::now();
  p.Kill();  // SIGKILL: no goodbye, ZooKeeper notices only by the session timeout
  ASSERT_TRUE(WaitRole(*b, Role::kPrimary)) << b->Current().reason;
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - killed);
  std::cout << "b took over " << took.count() << " ms after kill -9 (session " << kSessionMs
            << " ms)\n";
  // Not before ZooKeeper gave up on p: at least the 2/3 of a session p
  // could have been silent when killed.
  EXPECT_GE(took, milliseconds(kSessionMs * 2 / 3));
  EXPECT_EQ(b->Current().epoch, 2u);
  ASSERT_TRUE(WaitPrimaryNamed(*c, "b"));
  EXPECT_EQ(c->Current().role, Role::kStandby);
}

// The pause test at the election's level: p is stopped past its
// session, b takes over, p is resumed. Every "ack" p wrote (its clock read
// before asking IsPrimary) is older than b's takeover: no moment with two
// primaries acknowledging.
TEST_F(ElectionTest, APausedPrimaryAcknowledgesNothingAfterAStandbyTookOver) {
  MemberProcess p(zk_.address(), "p");
  ASSERT_TRUE(loyalty::testing::WaitFor([&] { return p.Said("change primary 1 p"); }, 15s));
  EpochLog log;
  auto b = JoinAs("b", log.For("b"));
  ASSERT_TRUE(b);
  ASSERT_TRUE(loyalty::testing::WaitFor([&] { return !p.AckTimes().empty(); }, 5s));

  p.Signal(SIGSTOP);
  ASSERT_TRUE(WaitRole(*b, Role::kPrimary)) << b->Current().reason;
  p.Signal(SIGCONT);
  // p finds out: it steps down, its session is gone, it joins again behind b.
  ASSERT_TRUE(loyalty::testing::WaitFor([&] { return p.Said("change standby 0 b"); }, 15s))
      << "p did not rejoin as a standby behind b";
  const auto taken = log.WaitFor(1);
  ASSERT_EQ(taken.size(), 1u);
  const auto acks = p.AckTimes();
  ASSERT_FALSE(acks.empty());
  const int64_t last_ack = *std::max_element(acks.begin(), acks.end());
  EXPECT_LT(last_ack, taken[0].at_ns);
  std::cout << acks.size() << " acks by p; the last " << (taken[0].at_ns - last_ack) / 1000000
            << " ms before b took epoch " << taken[0].epoch << "\n";
  EXPECT_EQ(taken[0].epoch, 2u);
  EXPECT_TRUE(b->IsPrimary());
}

// ZooKeeper itself stops answering (SIGSTOP of the server) past the session
// timeout: the primary stops within its lease and says why; afterwards one
// member is primary again, with a new epoch.
TEST_F(ElectionTest, APrimaryWhoseZooKeeperFreezesStepsDownWithinItsLease) {
  std::mutex mu;
  std::vector<Leadership> seen_by_a;
  auto a = JoinAs("a", [&](const Leadership& l) {
    std::lock_guard lock(mu);
    seen_by_a.push_back(l);
  });
  auto b = JoinAs("b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->IsPrimary());

  const auto paused = Clock::now();
  zk_.Pause();
  ASSERT_TRUE(loyalty::testing::WaitFor([&] { return !a->IsPrimary(); },
                                        milliseconds(kSessionMs / 2) + 2s));
  const auto stopped = std::chrono::duration_cast<milliseconds>(Clock::now() - paused);
  std::cout << "a stopped acting " << stopped.count() << " ms after ZooKeeper froze\n";
  ASSERT_TRUE(a->WaitUntil([](const Leadership& l) { return l.role != Role::kPrimary; }, 2s));
  {
    std::lock_guard lock(mu);
    ASSERT_FALSE(seen_by_a.empty());
    EXPECT_NE(seen_by_a.back().role, Role::kPrimary);  // the listener was told
  }
  ASSERT_TRUE(WaitRole(*b, Role::kAway, milliseconds(kSessionMs) + 2s)) << b->Current().reason;
  // Keep it frozen past the session timeout (the scenario, not a wait for a result).
  std::this_thread::sleep_until(paused + milliseconds(kSessionMs) + 500ms);
  zk_.Resume();

  ASSERT_TRUE(
      loyalty::testing::WaitFor([&] { return a->IsPrimary() || b->IsPrimary(); }, kFailoverWithin));
  EXPECT_FALSE(a->IsPrimary() && b->IsPrimary());
  const Election& primary = a->IsPrimary() ? *a : *b;
  EXPECT_GT(primary.Current().epoch, 1u);
}

// A network partition between the primary and ZooKeeper only (a proxy that
// stops every byte, no reset): the primary, running all along, stops being
// primary before the standby takes over. A thread samples IsPrimary() every
// millisecond the whole time.
TEST_F(ElectionTest, APrimaryCutOffFromZooKeeperStopsBeforeTheStandbyTakesOver) {
  loyalty::testing::TcpProxy proxy(zk_.port());
  ASSERT_TRUE(proxy.ok());
  ElectionOptions via_proxy = Options();
  via_proxy.servers = proxy.address();
  auto joined = Election::Join(via_proxy, {"a", "127.0.0.1:a"});
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  std::unique_ptr<Election> a = std::move(joined).value();
  EpochLog log;
  auto b = JoinAs("b", log.For("b"));
  ASSERT_TRUE(b);
  ASSERT_TRUE(a->IsPrimary());

  std::atomic<int64_t> a_last_primary_ns{0};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      const int64_t t = NowNs();  // read before asking, as an acknowledging caller would
      if (a->IsPrimary()) a_last_primary_ns = t;
      std::this_thread::sleep_for(1ms);
    }
  });
  proxy.Cut();
  const bool took_over = WaitRole(*b, Role::kPrimary);
  const auto taken = log.WaitFor(1);
  sampling = false;
  sampler.join();
  ASSERT_TRUE(took_over) << b->Current().reason;
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_NE(a->Current().role, Role::kPrimary) << a->Current().reason;
  EXPECT_LT(a_last_primary_ns.load(), taken[0].at_ns);
  std::cout << "a stopped " << (taken[0].at_ns - a_last_primary_ns.load()) / 1000000
            << " ms before b took epoch " << taken[0].epoch << " (" << a->Current().reason << ")\n";

  proxy.Heal();  // a learns its session expired and joins again behind b
  EXPECT_TRUE(
      a->WaitUntil([](const Leadership& l) { return l.role == Role::kStandby && Holds(l, "b"); },
                   kFailoverWithin))
      << a->Current().reason;
  EXPECT_TRUE(b->IsPrimary());
}

// ZooKeeper itself restarts (kill -9, then again on its data): the members
// see the connection drop, the primary stops, and once ZooKeeper is back one
// of them is primary with an epoch above the one before.
TEST_F(ElectionTest, AfterZooKeeperRestartsOneMemberIsPrimaryWithANewEpoch) {
  auto a = JoinAs("a");
  auto b = JoinAs("b");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->Current().epoch, 1u);
  ASSERT_TRUE(zk_.Restart()) << zk_.error();
  ASSERT_TRUE(
      loyalty::testing::WaitFor([&] { return a->IsPrimary() || b->IsPrimary(); }, kFailoverWithin))
      << a->Current().reason << " / " << b->Current().reason;
  EXPECT_FALSE(a->IsPrimary() && b->IsPrimary());
  const Election& primary = a->IsPrimary() ? *a : *b;
  EXPECT_GT(primary.Current().epoch, 1u);
  std::cout << "ZooKeeper restarted in " << zk_.startup().count() << " ms\n";
}

TEST_F(ElectionTest, EpochsStrictlyIncreaseAcrossFailovers) {
  EpochLog log;
  std::vector<std::unique_ptr<Election>> members;
  members.push_back(JoinAs("m0", log.For("m0")));
  for (int i = 1; i <= 4; ++i) {
    const std::string id = "m" + std::to_string(i);
    members.push_back(JoinAs(id, log.For(id)));
    ASSERT_TRUE(members.back());
    members.front().reset();  // the primary goes
    members.erase(members.begin());
    ASSERT_TRUE(WaitRole(*members.front(), Role::kPrimary)) << members.front()->Current().reason;
  }
  const auto taken = log.WaitFor(5);
  ASSERT_EQ(taken.size(), 5u);
  for (size_t i = 0; i < taken.size(); ++i) {
    EXPECT_EQ(taken[i].node_id, "m" + std::to_string(i));
    if (i > 0) {
      EXPECT_GT(taken[i].epoch, taken[i - 1].epoch);
    }
  }
}

TEST_F(ElectionTest, ANewEpochIsAboveTheLastOneTheNodeStored) {
  ElectionOptions o = Options();
  o.last_epoch = 41;  // ZooKeeper's data is new, the node's store is not
  auto a = Election::Join(o, {"a", "127.0.0.1:1"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->Current().epoch, 42u);
  a->reset();
  auto b = JoinAs("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->Current().epoch, 43u);  // ZooKeeper now remembers 42
}

TEST(ElectionJoinTest, BadOptionsAndMembersAreRefusedNamingWhatIsWrong) {
  ElectionOptions o;
  o.servers = "127.0.0.1:2181";
  auto bad_id = Election::Join(o, {"a b", "h:1"});
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_id.status().message().find("node id 'a b'"), std::string::npos);
  o.lease_percent = 90;
  auto bad_lease = Election::Join(o, {"a", "h:1"});
  ASSERT_FALSE(bad_lease.ok());
  EXPECT_NE(bad_lease.status().message().find("lease_percent 90"), std::string::npos);
  o.lease_percent = 50;
  o.root = "loyalty";
  EXPECT_EQ(Election::Join(o, {"a", "h:1"}).status().code(), StatusCode::kInvalidArgument);
}

TEST(ElectionJoinTest, JoiningWhenNoZooKeeperAnswersFailsAfterTheJoinTimeout) {
  ElectionOptions o;
  o.servers = "127.0.0.1:" + std::to_string(loyalty::testing::FreePort());  // nobody listens
  o.join_timeout_ms = 1500;
  const auto started = Clock::now();
  auto joined = Election::Join(o, {"a", "h:1"});
  ASSERT_FALSE(joined.ok());
  EXPECT_EQ(joined.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(joined.status().message().find("not registered within 1500 ms"), std::string::npos)
      << joined.status().message();
  EXPECT_LT(Clock::now() - started, 5s);  // and the destructor did not hang
}

}  // namespace
}  // namespace loyalty::zk
