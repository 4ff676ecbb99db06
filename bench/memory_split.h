// bench/memory_split.h
//
// Where a benchmark process's memory is, for the RSS figures: resident set
// (now and peak), the C heap (in use, free but held by the allocator), and
// the parts of the state that account for themselves (RocksDB's block
// cache, memtables and table readers; the customer cache). One call reads
// them all; nothing is kept between calls.
#pragma once

#include <string>

#include "pipeline/state/customer_cache.h"
#include "pipeline/state/state_store.h"

namespace crm::bench {

struct MemorySplit {
  double rss_mib = 0;         // resident now
  double peak_rss_mib = 0;    // resident at most, so far
  double heap_used_mib = 0;   // malloc'd and not freed (all arenas, mmap'd blocks included)
  double heap_free_mib = 0;   // freed but still held by the allocator (fragmentation)
  int heap_arenas = 0;        // glibc malloc arenas (one per thread that allocated, up to 8 x cores)
  pipeline::StateStore::MemoryUsage store;
  size_t cached_customers = 0;
  double cache_mib = 0;       // CustomerCache::approximate_bytes
};

MemorySplit MeasureMemory(const pipeline::StateStore& store, const pipeline::CustomerCache& cache);

// One line: "RSS 512 MiB (peak 530): heap 400 used + 20 free in 3 arenas; ...".
std::string Describe(const MemorySplit& split);

}  // namespace crm::bench
