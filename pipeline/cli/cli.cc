#include "pipeline/cli/cli.h"

#include <CLI/CLI.hpp>

#include "pipeline/cli/commands.h"
#include "pipeline/cli/log_format.h"

#ifndef CRM_VERSION
#define CRM_VERSION "dev"
#endif

namespace crm::pipeline {

int RunCli(int argc, char** argv, const CliContext& context) {
  CLI::App app{"crmstream: live customer-relationship knowledge from Kafka events"};
  app.set_version_flag("--version", std::string("crmstream ") + CRM_VERSION);
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "Least severe level logged")
      ->check(CLI::IsMember(kLogLevelNames))->capture_default_str();
  std::string log_format = "logfmt";
  app.add_option("--log-format", log_format, "Log lines on stderr: logfmt or json (one object per line)")
      ->check(CLI::IsMember(kLogFormatNames))->capture_default_str();

  RunCommandOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run the service (consumer group member)");
  run_cmd->add_option("--config", run.config_path, "TOML config file (or $CRMSTREAM_CONFIG)");
  run_cmd->add_flag("--stop-at-end", run.stop_at_end,
                    "Exit 0 once every input partition is consumed to its end and committed");

  BrokerCommandOptions broker;
  broker.topics = {"crm.purchases", "crm.complaints", "crm.service", "crm.interactions", "crm.actions",
                   "crm.churn-alerts", "crm.segment-changes", "crm.deadletter",
                   "crm.changelog", "crm.rewards"};
  auto* broker_cmd = app.add_subcommand(
      "broker", "Run the embedded Kafka-protocol broker (librdkafka mock cluster) until Ctrl-C");
  broker_cmd->add_option("--port", broker.port, "Listen port (0: any free port)")
      ->check(CLI::Range(0, 65535))->capture_default_str();
  broker_cmd->add_option("--partitions", broker.partitions, "Partitions per topic")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  broker_cmd->add_option("--topic", broker.topics, "Topics to create (repeatable)")
      ->capture_default_str();

  DemoCommandOptions demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "Embedded broker + generated traffic + the service, with a live feed of outputs");
  demo_cmd->add_option("--duration", demo.duration_s, "Seconds to run (0: until Ctrl-C)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  demo_cmd->add_option("--customers", demo.customers, "Simulated customers")
      ->check(CLI::Range(int64_t{1}, int64_t{10'000'000}))->capture_default_str();
  demo_cmd->add_option("--speed", demo.days_per_second, "Simulated days per second")
      ->check(CLI::PositiveNumber)->capture_default_str();
  demo_cmd->add_option("--http-port", demo.http_port, "Port for /metrics (0: any free port)")
      ->check(CLI::Range(0, 65535))->capture_default_str();
  demo_cmd->add_option("--seed", demo.seed, "Traffic generator seed")->capture_default_str();

  FitCommandOptions fit;
  auto* fit_cmd = app.add_subcommand(
      "fit", "Fit purchase (BG/NBD, MBG/NBD, Pareto/NBD) and Gamma-Gamma models by maximum likelihood");
  auto* transactions_opt =
      fit_cmd->add_option("--transactions", fit.transactions, "Transaction log file")->check(CLI::ExistingFile);
  auto* from_state_opt = fit_cmd->add_flag(
      "--from-state", fit.from_state,
      "Fit from the live state store (of --config) instead of a transaction log; T runs to its latest event");
  fit_cmd->add_option("--config", fit.config_path, "TOML config file naming the state store (or $CRMSTREAM_CONFIG)");
  transactions_opt->excludes(from_state_opt);
  auto* format_opt =
      fit_cmd->add_option("--format", fit.format, "cdnow (whitespace: id [sample_id] yyyymmdd cds value) or csv "
                                                  "(RFC 4180, columns found by header name or --columns); default "
                                                  "csv for a *.csv file or with --columns, else cdnow")
          ->check(CLI::IsMember({"cdnow", "csv"}));
  fit_cmd->add_option("--columns", fit.columns,
                      "CSV columns: by header name (id=cust_no,date=order_date,amount=total) or, for a file without "
                      "a header, in column order (date,id,amount; '-' skips a column)")
      ->excludes(from_state_opt);
  fit_cmd->add_option("--calibration-end", fit.calibration_end,
                      "Last day of the calibration period (yyyy-mm-dd); needed with --transactions")
      ->excludes(from_state_opt);
  fit_cmd->add_option("--time-unit", fit.time_unit, "Time unit of x, t_x, T")
      ->check(CLI::IsMember({"weeks", "days"}))->capture_default_str();
  fit_cmd->add_option("--output", fit.output, "Parameters file to write (JSON)")->required();
  fit_cmd->add_option("--scores", fit.scores, "Per-customer scores to write (CSV)");
  fit_cmd->add_option("--report", fit.report,
                      "Charts to write (SVG): cumulative repeat purchases, actual vs expected, and the churn risk's "
                      "calibration on the holdout");
  fit_cmd->add_option("--model", fit.model,
                      "Purchase model: bgnbd, mbgnbd, pareto, or auto (fit all three, compare them on the holdout, "
                      "keep the highest calibration log-likelihood)")
      ->check(CLI::IsMember({"bgnbd", "mbgnbd", "pareto", "auto"}))->capture_default_str();
  fit_cmd->add_option("--horizon", fit.horizon, "Horizon in time units for expected purchases and CLV")
      ->check(CLI::PositiveNumber)->capture_default_str();
  fit_cmd->add_option("--churn-horizon-days", fit.churn_horizon_days,
                      "Horizon of the churn risk checked on the holdout: P(no purchase within it); the service's "
                      "model.churn.horizon_days")
      ->check(CLI::Range(1.0, 36500.0))->capture_default_str();

  std::string dump_config;
  auto* state_cmd = app.add_subcommand("state", "Inspect the state store");
  state_cmd->require_subcommand(1);
  auto* dump_cmd = state_cmd->add_subcommand(
      "dump", "Print every customer's state as one JSON line, sorted by customer id");
  dump_cmd->add_option("--config", dump_config, "TOML config file (or $CRMSTREAM_CONFIG)");

  ResetCommandOptions reset;
  auto* reset_cmd = app.add_subcommand(
      "reset", "Reprocess the inputs from their earliest records or a datetime, with empty customer state "
               "(stop every instance first)");
  reset_cmd->add_option("--config", reset.config_path, "TOML config file (or $CRMSTREAM_CONFIG)");
  auto* earliest_opt = reset_cmd->add_flag("--to-earliest", reset.to_earliest, "From the earliest retained records");
  reset_cmd->add_option("--to-datetime", reset.to_datetime,
                        "From the first records whose Kafka timestamp is at or after this RFC 3339 time")
      ->excludes(earliest_opt);
  reset_cmd->add_flag("--force", reset.force, "Reset even when instances may still be members of the group");
  reset_cmd->add_flag("--dry-run", reset.dry_run, "Print the positions, change nothing");

  try {
    app.parse(argc, argv);
    if (reset_cmd->parsed() && !reset.to_earliest && reset.to_datetime.empty()) {
      throw CLI::RequiredError("--to-earliest or --to-datetime");
    }
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  Result<LogFormat> format = ParseLogFormat(log_format);
  if (!format.ok()) return kExitUsage;  // IsMember has checked it
  ConfigureLogging(log_level, *format);
  if (run_cmd->parsed()) return RunServiceCommand(run, context);
  if (broker_cmd->parsed()) return RunBrokerCommand(broker, context);
  if (demo_cmd->parsed()) return RunDemoCommand(demo, context);
  if (reset_cmd->parsed()) return RunResetCommand(reset, context);
  if (dump_cmd->parsed()) return RunStateDumpCommand(dump_config, context);
  if (fit_cmd->parsed()) {
    if (format_opt->count() == 0) {
      const bool csv_name = fit.transactions.size() >= 4 &&
                            (fit.transactions.ends_with(".csv") || fit.transactions.ends_with(".CSV"));
      fit.format = csv_name || !fit.columns.empty() ? "csv" : "cdnow";
    }
    return RunFitCommand(fit, context);
  }
  return kExitUsage;
}

}  // namespace crm::pipeline
