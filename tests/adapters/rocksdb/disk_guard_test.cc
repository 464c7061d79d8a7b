// The disk reserve (adapters/rocksdb/disk_guard.h) against a free-space
// figure the test sets: writes stop below the reserve, the ballast is
// released at once, writes resume at twice the reserve with the ballast back.
#include "adapters/rocksdb/disk_guard.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/temp_dir.h"

namespace loyalty {
namespace {

constexpr uint64_t kMiB = 1 << 20;

class DiskGuardTest : public ::testing::Test {
 protected:
  // Free space as the filesystem would report it: what the test says, less
  // the ballast while it exists.
  DiskGuard Guard(uint64_t reserve) {
    return DiskGuard(dir_.path(), reserve, [this](const std::string&) -> Result<uint64_t> {
      return free_ -
             (std::filesystem::exists(Ballast()) ? std::filesystem::file_size(Ballast()) : 0);
    });
  }
  std::string Ballast() const { return dir_.Sub(DiskGuard::kBallastName); }
  testing::TempDir dir_;
  uint64_t free_ = 0;  // without the ballast
};

TEST_F(DiskGuardTest, TakesWritesWithTheBallastInPlaceAndRoomBesideIt) {
  DiskGuard guard = Guard(4 * kMiB);
  free_ = 100 * kMiB;
  DiskGuard::Verdict v = guard.Check();
  EXPECT_TRUE(v.writable);
  EXPECT_EQ(v.note, "put the 4.0 MiB disk reserve back");
  EXPECT_EQ(std::filesystem::file_size(Ballast()), 4 * kMiB);
  EXPECT_EQ(v.free_bytes, 96 * kMiB);
  v = guard.Check();
  EXPECT_TRUE(v.writable);
  EXPECT_EQ(v.note, "");
}

TEST_F(DiskGuardTest, BelowTheReserveItRefusesAndReleasesTheBallastUntilTwiceIsFree) {
  DiskGuard guard = Guard(4 * kMiB);
  free_ = 100 * kMiB;
  ASSERT_TRUE(guard.Check().writable);
  free_ = 7 * kMiB;  // 3 MiB beside the ballast
  DiskGuard::Verdict v = guard.Check();
  EXPECT_FALSE(v.writable);
  EXPECT_EQ(v.note, "released the 4.0 MiB disk reserve");
  EXPECT_FALSE(std::filesystem::exists(Ballast()));
  EXPECT_EQ(v.reason,
            "the disk is full: 7.0 MiB free, writes resume when 8.0 MiB is free (twice the "
            "reserve of 4.0 MiB)");
  free_ = 5 * kMiB;  // above the reserve again, but not twice it: no flapping
  EXPECT_FALSE(guard.Check().writable);
  EXPECT_FALSE(std::filesystem::exists(Ballast()));
  free_ = 8 * kMiB;
  v = guard.Check();
  EXPECT_TRUE(v.writable);
  EXPECT_TRUE(std::filesystem::exists(Ballast()));
  EXPECT_EQ(v.free_bytes, 4 * kMiB);
}

TEST_F(DiskGuardTest, BeforeOpeningAShortDiskTheBallastMakesRoom) {
  DiskGuard guard = Guard(4 * kMiB);
  free_ = 100 * kMiB;
  ASSERT_TRUE(guard.Check().writable);
  free_ = 4 * kMiB + 100;  // 100 bytes beside the ballast
  DiskGuard::Verdict v = guard.BeforeOpen();
  EXPECT_FALSE(std::filesystem::exists(Ballast()));
  EXPECT_EQ(v.free_bytes, 4 * kMiB + 100);
  EXPECT_NE(v.note.find("released the 4.0 MiB reserve so that the store can open"),
            std::string::npos);
  // A store started on a short disk refuses writes from the start.
  EXPECT_FALSE(guard.Check().writable);
}

TEST_F(DiskGuardTest, AChangedReserveResizesTheBallast) {
  free_ = 100 * kMiB;
  ASSERT_TRUE(Guard(8 * kMiB).Check().writable);
  ASSERT_EQ(std::filesystem::file_size(Ballast()), 8 * kMiB);
  ASSERT_TRUE(Guard(2 * kMiB).Check().writable);
  EXPECT_EQ(std::filesystem::file_size(Ballast()), 2 * kMiB);
}

TEST(HumanBytesTest, ReadsAsPeopleWriteSizes) {
  EXPECT_EQ(HumanBytes(512), "512 bytes");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(256ull << 20), "256.0 MiB");
  EXPECT_EQ(HumanBytes(3ull << 30), "3.0 GiB");
}

}  // namespace
}  // namespace loyalty
