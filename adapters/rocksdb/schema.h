// The stored schema: its history, and the migrations from each version to
// the next. The version is in meta "schema_version" (key_codec.h), decimal;
// store_codec::kSchemaVersion is the one this build writes.
//
//   1  (2026-11)  the column families and keys of key_codec.h
//   2  (2026-12)  meta "store_id": 32 hex digits made when the store is
//                 created (or migrated to 2); backups carry it, and a
//                 restore keeps it, so a backup says which store it is of
//
// Store::Open (store.h) reads the version:
//   - none (a new database): stamps this build's version and a store id;
//   - newer than this build: refused, whatever the options (an older build
//     must not write what it does not understand);
//   - older: with SchemaPolicy::kMigrate, a backup first (verified, into
//     migration_backup_dir), then each step in turn, each followed by its
//     stamp; with kCurrentOnly refused, saying how to migrate; kAny opens
//     it untouched.
//
// A step must be idempotent: a crash between a step and its stamp runs the
// step again on the next start.
//
// Adding version N: bump kSchemaVersion, add the step from N-1 to
// kMigrations (schema.cc) and a line above, and a test that opens a store
// written at N-1 (tests/adapters/rocksdb/schema_test.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/rocksdb/store.h"

namespace loyalty::schema {

struct Migration {
  uint32_t to;       // the version this step makes
  const char* what;  // one line for the log
  Status (*apply)(Store& store);
};

// Every step, in order: kMigrations[i].to == i + 2.
const std::vector<Migration>& Migrations();

// A new random store id: 32 lowercase hex digits.
std::string NewStoreId();

}  // namespace loyalty::schema
