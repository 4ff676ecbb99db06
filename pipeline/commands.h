// pipeline/commands.h
//
// The bodies of the `crmstream` subcommands (cli.cc parses arguments and
// calls these). Each returns a process exit code (cli_context.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "pipeline/cli_context.h"

namespace crm::pipeline {

struct RunCommandOptions {
  std::string config_path;
  bool stop_at_end = false;
};
int RunServiceCommand(const RunCommandOptions& options, const CliContext& context);

struct BrokerCommandOptions {
  int port = 0;
  int partitions = 16;
  std::vector<std::string> topics;
};
int RunBrokerCommand(const BrokerCommandOptions& options, const CliContext& context);

struct DemoCommandOptions {
  double duration_s = 60;      // 0 = until Ctrl-C
  int64_t customers = 500;
  double days_per_second = 5;  // simulated days per wall-clock second
  int partitions = 4;
  int http_port = 9464;        // 0 = any free port
  uint64_t seed = 1;
};
int RunDemoCommand(const DemoCommandOptions& options, const CliContext& context);

struct FitCommandOptions {
  std::string transactions;         // a transaction log, or
  bool from_state = false;          // the live state store named by config_path
  std::string config_path;
  std::string format = "cdnow";     // cdnow | csv
  std::string columns;              // csv: --columns (transaction_columns.h); empty: recognise the header
  std::string calibration_end;      // yyyy-mm-dd, inclusive
  std::string time_unit = "weeks";  // weeks | days
  std::string output;               // parameters JSON
  std::string scores;               // optional per-customer CSV
  std::string report;               // optional SVG chart: actual vs expected repeat purchases
  double horizon = 52;              // time units for expected purchases and CLV
  // Days of the churn risk whose calibration is checked on the holdout: the
  // service's model.churn.horizon_days (default 90).
  double churn_horizon_days = 90;
  // Purchase model: bgnbd | mbgnbd | pareto | auto (fit all three, keep the
  // highest calibration log-likelihood).
  std::string model = "auto";
};
int RunFitCommand(const FitCommandOptions& options, const CliContext& context);

struct ResetCommandOptions {
  std::string config_path;
  bool to_earliest = false;
  std::string to_datetime;  // RFC 3339; empty with to_earliest
  bool force = false;       // go on even when instances may be running
  bool dry_run = false;     // print the positions, change nothing
};
int RunResetCommand(const ResetCommandOptions& options, const CliContext& context);

int RunStateDumpCommand(const std::string& config_path, const CliContext& context);

// The config named on the command line, else $CRMSTREAM_CONFIG, else the
// built-in defaults; false (with the error printed) when it does not load.
bool LoadConfigOrReport(const std::string& path, const CliContext& context, config::Config& out);

}  // namespace crm::pipeline
