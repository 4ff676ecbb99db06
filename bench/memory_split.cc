#include "bench/memory_split.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string_view>

#include "bench/purchase_input.h"

namespace crm::bench {
namespace {

constexpr double kMiB = 1 << 20;

double ResidentMiB() {
  std::ifstream statm("/proc/self/statm");
  long long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / kMiB;
}

// glibc keeps no arena count; malloc_info's XML lists one <heap> per arena.
int CountArenas() {
  char* text = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&text, &size);
  if (out == nullptr) return 0;
  malloc_info(0, out);
  std::fclose(out);
  int arenas = 0;
  for (std::string_view rest(text, size); rest.find("<heap nr=") != std::string_view::npos; ++arenas) {
    rest.remove_prefix(rest.find("<heap nr=") + 1);
  }
  free(text);  // NOLINT: open_memstream's buffer belongs to malloc
  return arenas;
}

}  // namespace

MemorySplit MeasureMemory(const pipeline::StateStore& store, const pipeline::CustomerCache& cache) {
  MemorySplit split;
  split.rss_mib = ResidentMiB();
  split.peak_rss_mib = PeakRssMiB();
  const struct mallinfo2 heap = mallinfo2();
  split.heap_used_mib = static_cast<double>(heap.uordblks + heap.hblkhd) / kMiB;
  split.heap_free_mib = static_cast<double>(heap.fordblks) / kMiB;
  split.heap_arenas = CountArenas();
  split.store = store.Memory();
  split.cached_customers = cache.size();
  split.cache_mib = static_cast<double>(cache.approximate_bytes()) / kMiB;
  return split;
}

std::string Describe(const MemorySplit& split) {
  char line[512];
  std::snprintf(line, sizeof line,
                "RSS %.0f MiB (peak %.0f): heap %.0f used + %.0f free in %d arenas; RocksDB block cache %.0f "
                "(pinned %.0f, memtables %.0f), table readers %.1f; customer cache %zu entries, ~%.0f MiB "
                "(%.0f B each)",
                split.rss_mib, split.peak_rss_mib, split.heap_used_mib, split.heap_free_mib, split.heap_arenas,
                static_cast<double>(split.store.block_cache_bytes) / kMiB,
                static_cast<double>(split.store.block_cache_pinned_bytes) / kMiB,
                static_cast<double>(split.store.memtable_bytes) / kMiB,
                static_cast<double>(split.store.table_readers_bytes) / kMiB, split.cached_customers, split.cache_mib,
                split.cached_customers > 0 ? split.cache_mib * kMiB / static_cast<double>(split.cached_customers) : 0.0);
  return line;
}

}  // namespace crm::bench
