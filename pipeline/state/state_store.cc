#include "pipeline/state/state_store.h"

#include <algorithm>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include "pipeline/state/state_codec.h"
#include "pipeline/state/state_keys.h"

namespace crm::pipeline {
namespace {

constexpr char kCustomersFamily[] = "customers";
constexpr char kOffsetsFamily[] = "offsets";
constexpr char kTimersFamily[] = "timers";

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IoError(what + ": " + s.ToString());
}

}  // namespace

struct StateStore::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;  // default, customers, offsets
  std::shared_ptr<rocksdb::Cache> cache;

  rocksdb::ColumnFamilyHandle* customers() const { return families[1]; }
  rocksdb::ColumnFamilyHandle* offsets() const { return families[2]; }
  rocksdb::ColumnFamilyHandle* timers() const { return families[3]; }

  ~Impl() {
    for (auto* handle : families) db->DestroyColumnFamilyHandle(handle);
    families.clear();
    if (db) db->Close().PermitUncheckedError();
  }
};

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateStore::~StateStore() = default;

Result<std::unique_ptr<StateStore>> StateStore::Open(const StateStoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  // Half of the budget caches blocks, half buffers writes; the write-buffer
  // manager charges its memory to the same cache so the total stays bounded.
  const size_t budget = static_cast<size_t>(options.memory_budget_bytes);
  impl->cache = rocksdb::NewLRUCache(budget);
  auto write_buffers = std::make_shared<rocksdb::WriteBufferManager>(budget / 2, impl->cache);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = impl->cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filters live in the block cache (bounded by the budget), cut
  // into partitions of metadata_block_size (4 KiB) under a small top level
  // that stays pinned: a lookup brings one filter and one index partition
  // into the cache, not a whole file's. With one filter block per file, a
  // store whose filters no longer fitted beside the memtables charged to
  // the cache (about 6M customers with 256 MiB) re-read, checksummed and
  // copied megabytes of filter for every new customer's lookup.
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Filter sizes that fit the allocator's size classes: less memory for the
  // same false-positive rate.
  table.optimize_filters_for_memory = true;

  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.compression = rocksdb::kLZ4Compression;
  cf.write_buffer_size = std::max<size_t>(budget / 8, 4 << 20);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.write_buffer_manager = write_buffers;
  db_options.max_background_jobs = 2;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, cf}, {kCustomersFamily, cf}, {kOffsetsFamily, cf}, {kTimersFamily, cf}};
  rocksdb::DB* db = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, options.dir, descriptors, &impl->families, &db)
          : rocksdb::DB::Open(db_options, options.dir, descriptors, &impl->families, &db);
  RETURN_IF_ERROR(FromRocks(s, "open state store at '" + options.dir + "'"));
  impl->db.reset(db);
  return std::unique_ptr<StateStore>(new StateStore(std::move(impl)));
}

Result<std::optional<operators::CustomerState>> StateStore::Get(
    const std::string& customer_id) const {
  std::string bytes;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->customers(), customer_id, &bytes);
  if (s.IsNotFound()) return std::optional<operators::CustomerState>();
  RETURN_IF_ERROR(FromRocks(s, "read customer"));
  ASSIGN_OR_RETURN(operators::CustomerState state, DecodeState(bytes));
  return std::optional<operators::CustomerState>(std::move(state));
}

Status StateStore::MultiGet(
    std::vector<std::string_view>& ids,
    const std::function<void(std::string_view, std::optional<operators::CustomerState>)>& visit) const {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<rocksdb::Slice> keys;
  keys.reserve(ids.size());
  for (std::string_view id : ids) keys.emplace_back(id.data(), id.size());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->customers(), keys.size(), keys.data(),
                      values.data(), statuses.data(), /*sorted_input=*/true);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      visit(ids[i], std::nullopt);
      continue;
    }
    RETURN_IF_ERROR(FromRocks(statuses[i], "read customers"));
    ASSIGN_OR_RETURN(operators::CustomerState state, DecodeState(values[i].ToStringView()));
    visit(ids[i], std::move(state));
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> StateStore::NextOffset(const TopicPartitionKey& tp) const {
  std::string bytes;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->offsets(), OffsetKey(tp), &bytes);
  if (s.IsNotFound()) return std::optional<int64_t>();
  RETURN_IF_ERROR(FromRocks(s, "read offset"));
  if (bytes.size() != 8) return Status::Corruption("stored offset has " + std::to_string(bytes.size()) + " bytes");
  return std::optional<int64_t>(DecodeOffset(bytes));
}

Status StateStore::Commit(const CommitBatch& batch) {
  rocksdb::WriteBatch write;
  std::string encoded;
  for (const auto& [id, state] : batch.customers) {
    EncodeState(*state, encoded);
    RETURN_IF_ERROR(FromRocks(write.Put(impl_->customers(), rocksdb::Slice(id.data(), id.size()), encoded), "stage customer"));
  }
  for (const auto& [tp, offset] : batch.next_offsets) {
    RETURN_IF_ERROR(FromRocks(write.Put(impl_->offsets(), OffsetKey(tp), EncodeOffset(offset)),
                              "stage offset"));
  }
  for (const auto& [name, value] : batch.counters) {
    RETURN_IF_ERROR(FromRocks(write.Put(impl_->families[0], kCounterPrefix + name,
                                        EncodeOffset(value)),
                              "stage counter"));
  }
  for (const auto& [timer, store] : batch.timers) {
    const std::string key = TimerKeyBytes(timer);
    RETURN_IF_ERROR(FromRocks(store ? write.Put(impl_->timers(), key, rocksdb::Slice())
                                    : write.Delete(impl_->timers(), key),
                              "stage timer"));
  }
  for (const std::string& id : batch.deleted_customers) {
    RETURN_IF_ERROR(FromRocks(write.Delete(impl_->customers(), id), "stage customer deletion"));
  }
  for (const auto& [partition, bytes] : batch.partition_data) {
    RETURN_IF_ERROR(FromRocks(write.Put(impl_->families[0], PartitionKey(partition), bytes), "stage partition data"));
  }
  for (const auto& [partition, offset] : batch.changelog_checkpoints) {
    RETURN_IF_ERROR(FromRocks(write.Put(impl_->families[0], CheckpointKey(partition), EncodeOffset(offset)),
                              "stage changelog checkpoint"));
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(impl_->db->Write(options, &write), "commit state");
}

Status StateStore::ScanTimers(int32_t partition, int64_t up_to_ms,
                              const std::function<bool(int64_t, std::string_view)>& visit, int64_t from_ms) const {
  std::string prefix;
  AppendBigEndian(prefix, static_cast<uint32_t>(partition), 4);
  std::string start = prefix;
  AppendBigEndian(start, static_cast<uint64_t>(from_ms) ^ kSignBit, 8);
  std::string upper = prefix;
  AppendBigEndian(upper, (static_cast<uint64_t>(up_to_ms) ^ kSignBit) + 1, 8);  // exclusive
  rocksdb::ReadOptions read;
  rocksdb::Slice upper_slice(upper);
  // up_to_ms = INT64_MAX wraps to 0 above: then bound by the next partition.
  std::string next_partition;
  if (static_cast<uint64_t>(up_to_ms) == ~kSignBit) {
    AppendBigEndian(next_partition, static_cast<uint64_t>(static_cast<uint32_t>(partition)) + 1, 4);
    upper_slice = rocksdb::Slice(next_partition);
  }
  read.iterate_upper_bound = &upper_slice;
  rocksdb::Slice lower_slice(start);
  read.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(read, impl_->timers()));
  for (it->Seek(start); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.size() < kTimerPrefixBytes) return Status::Corruption("stored timer key is too short");
    const int64_t due = static_cast<int64_t>(ReadBigEndian(std::string_view(key.data() + 4, 8)) ^ kSignBit);
    if (!visit(due, std::string_view(key.data() + kTimerPrefixBytes, key.size() - kTimerPrefixBytes))) break;
  }
  return FromRocks(it->status(), "scan timers");
}

Status StateStore::ApplyRestored(int32_t partition, const std::vector<RestoredMutation>& mutations,
                                 const std::map<TopicPartitionKey, int64_t>& next_offsets, int64_t checkpoint) {
  rocksdb::WriteBatch write;
  for (const RestoredMutation& m : mutations) {
    rocksdb::ColumnFamilyHandle* family = m.family == RestoredMutation::Family::kCustomer ? impl_->customers()
                                          : m.family == RestoredMutation::Family::kTimer  ? impl_->timers()
                                                                                          : impl_->families[0];
    const std::string key = m.family == RestoredMutation::Family::kPartition ? PartitionKey(partition) : m.key;
    RETURN_IF_ERROR(FromRocks(m.value ? write.Put(family, key, *m.value) : write.Delete(family, key),
                              "stage restored record"));
  }
  for (const auto& [tp, offset] : next_offsets) {
    RETURN_IF_ERROR(FromRocks(write.Put(impl_->offsets(), OffsetKey(tp), EncodeOffset(offset)), "stage offset"));
  }
  RETURN_IF_ERROR(FromRocks(write.Put(impl_->families[0], CheckpointKey(partition), EncodeOffset(checkpoint)),
                            "stage changelog checkpoint"));
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(impl_->db->Write(options, &write), "apply restored changelog");
}

Status StateStore::DropPartition(int32_t partition, const std::vector<std::string>& customer_ids) {
  rocksdb::WriteBatch write;
  for (const std::string& id : customer_ids) {
    RETURN_IF_ERROR(FromRocks(write.Delete(impl_->customers(), id), "stage customer deletion"));
  }
  // Timer keys start with the partition (4 bytes BE): one range.
  std::string first_timer, past_timers;
  AppendBigEndian(first_timer, static_cast<uint32_t>(partition), 4);
  AppendBigEndian(past_timers, static_cast<uint32_t>(partition) + 1u, 4);  // partition >= 0: no wrap
  RETURN_IF_ERROR(FromRocks(write.DeleteRange(impl_->timers(), first_timer, past_timers), "stage timer deletion"));
  RETURN_IF_ERROR(FromRocks(write.Delete(impl_->families[0], PartitionKey(partition)), "stage partition deletion"));
  RETURN_IF_ERROR(FromRocks(write.Delete(impl_->families[0], CheckpointKey(partition)), "stage checkpoint deletion"));
  // Offset keys end with '\0' and the partition (4 bytes BE), whatever the topic.
  const std::string suffix = OffsetKey(TopicPartitionKey{"", partition});
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->offsets()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().ToStringView().ends_with(suffix)) {
      RETURN_IF_ERROR(FromRocks(write.Delete(impl_->offsets(), it->key()), "stage offset deletion"));
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan offsets"));
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(impl_->db->Write(options, &write), "drop partition state");
}

Result<std::optional<int64_t>> StateStore::ChangelogCheckpoint(int32_t partition) const {
  std::string bytes;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->families[0], CheckpointKey(partition), &bytes);
  if (s.IsNotFound()) return std::optional<int64_t>();
  RETURN_IF_ERROR(FromRocks(s, "read changelog checkpoint"));
  if (bytes.size() != 8) return Status::Corruption("stored changelog checkpoint has a bad size");
  return std::optional<int64_t>(DecodeOffset(bytes));
}

Result<bool> StateStore::HasTimer(std::string_view timer_key_bytes) const {
  std::string value;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->timers(),
                                     rocksdb::Slice(timer_key_bytes.data(), timer_key_bytes.size()), &value);
  if (s.IsNotFound()) return false;
  RETURN_IF_ERROR(FromRocks(s, "read timer"));
  return true;
}

Result<std::optional<std::string>> StateStore::PartitionData(int32_t partition) const {
  std::string bytes;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->families[0], PartitionKey(partition), &bytes);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(s, "read partition data"));
  return std::optional<std::string>(std::move(bytes));
}

Result<std::map<std::string, int64_t>> StateStore::Counters() const {
  std::map<std::string, int64_t> counters;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->families[0]));
  for (it->Seek(kCounterPrefix); it->Valid() && it->key().starts_with(kCounterPrefix); it->Next()) {
    if (it->value().size() != 8) return Status::Corruption("stored counter has a bad size");
    counters[it->key().ToString().substr(kCounterPrefix.size())] = DecodeOffset(it->value().ToString());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan counters"));
  return counters;
}

Status StateStore::ForEachCustomer(
    const std::function<Status(const std::string& id, const std::string& bytes)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->customers()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    RETURN_IF_ERROR(visit(it->key().ToString(), it->value().ToString()));
  }
  return FromRocks(it->status(), "scan customers");
}

Status StateStore::CompactAll() {
  RETURN_IF_ERROR(FromRocks(impl_->db->Flush(rocksdb::FlushOptions(), impl_->families), "flush"));
  for (auto* family : impl_->families) {
    RETURN_IF_ERROR(FromRocks(
        impl_->db->CompactRange(rocksdb::CompactRangeOptions(), family, nullptr, nullptr), "compact"));
  }
  return Status::Ok();
}

int64_t StateStore::ApproximateSizeBytes() const {
  uint64_t size = 0;
  impl_->db->GetIntProperty(impl_->customers(), rocksdb::DB::Properties::kLiveSstFilesSize, &size);
  uint64_t mem = 0;
  impl_->db->GetIntProperty(impl_->customers(), rocksdb::DB::Properties::kCurSizeAllMemTables, &mem);
  return static_cast<int64_t>(size + mem);
}

int64_t StateStore::BlockCacheUsageBytes() const {
  return static_cast<int64_t>(impl_->cache->GetUsage());
}

StateStore::MemoryUsage StateStore::Memory() const {
  MemoryUsage usage;
  usage.block_cache_bytes = static_cast<int64_t>(impl_->cache->GetUsage());
  usage.block_cache_pinned_bytes = static_cast<int64_t>(impl_->cache->GetPinnedUsage());
  uint64_t value = 0;
  if (impl_->db->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &value)) {
    usage.memtable_bytes = static_cast<int64_t>(value);
  }
  if (impl_->db->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem, &value)) {
    usage.table_readers_bytes = static_cast<int64_t>(value);
  }
  return usage;
}

}  // namespace crm::pipeline
