#include "privtune/data/audit_canaries.h"

#include <cstdio>

#include "privtune/core/error.h"
#include "privtune/data/canary.h"
#include "privtune/data/rng.h"
#include "privtune/data/utf8.h"

namespace privtune::data {

namespace {

constexpr int64_t kDefaultTokens = 16;
constexpr int64_t kDefaultDigits = 6;
constexpr int64_t kMaxSecretCanaries = 1600;  // distinct adjective-noun prefixes (canary.cpp)

std::string canary_id(size_t index) {
  char id[32];
  std::snprintf(id, sizeof id, "audit-%04zu", index + 1);
  return id;
}

std::vector<Example> random_token_records(const AuditCanaryOptions& options, const std::vector<int64_t>& pool,
                                          Rng& rng) {
  check_input(!pool.empty(), "random canaries need a vocabulary with ordinary (non-special) tokens");
  const int64_t length = audit_canary_length(options);
  check_input(length >= 2 && length <= 4096, "--canary-length: random canaries have 2 to 4096 tokens");
  std::vector<Example> records;
  for (int64_t i = 0; i < options.count; ++i) {
    Example e;
    e.id = canary_id(static_cast<size_t>(i));
    for (int64_t t = 0; t < length; ++t) e.input_ids.push_back(rng.pick(pool));
    e.sensitive.assign(e.input_ids.size(), 1);
    records.push_back(std::move(e));
  }
  return records;
}

std::vector<Example> secret_records(const AuditCanaryOptions& options, const std::vector<Example>& train, Rng& rng) {
  std::vector<const Example*> hosts;
  for (const Example& e : train)
    if (!e.pretokenized()) hosts.push_back(&e);
  check_input(!hosts.empty(),
              "secret canaries are written in the dataset's own text format, but its training records are all "
              "pre-tokenized (use --canary-kind random)");
  check_input(options.count <= kMaxSecretCanaries,
              "--canaries: secret canaries have distinct prefixes for at most " + std::to_string(kMaxSecretCanaries) +
                  " (use --canary-kind random for more)");
  CanaryOptions sentences;
  sentences.per_repetition = (options.count + 1) / 2;  // make_canaries doubles it (inserted + reference)
  sentences.repetitions = {1};
  sentences.secret_length = audit_canary_length(options);
  sentences.secret_noun = "PIN";  // apart from the `code` canaries a dataset may hold already
  check_input(sentences.secret_length >= 1 && sentences.secret_length <= 18,
              "--canary-length: secret canaries have 1 to 18 digits");
  const std::vector<Canary> made = make_canaries(sentences, rng);

  std::vector<Example> records;
  for (int64_t i = 0; i < options.count; ++i) {
    const Canary& c = made[static_cast<size_t>(i)];
    const Example& host = *hosts[rng.uniform(hosts.size())];
    Example e;
    e.id = canary_id(static_cast<size_t>(i));
    e.text = c.text() + "\n" + host.text;
    e.spans.push_back({c.secret_span().start, c.secret_span().end, kAuditCanaryLabel});
    const int64_t shift = code_points(c.text() + "\n");
    for (const Span& s : host.spans) e.spans.push_back({s.start + shift, s.end + shift, s.label});
    records.push_back(std::move(e));
  }
  return records;
}

}  // namespace

AuditCanaryKind parse_audit_canary_kind(const std::string& name) {
  if (name == "random") return AuditCanaryKind::kRandomTokens;
  if (name == "secret") return AuditCanaryKind::kSecret;
  throw Error("--canary-kind: expected random or secret, got '" + name + "'");
}

const char* audit_canary_kind_name(AuditCanaryKind kind) {
  return kind == AuditCanaryKind::kRandomTokens ? "random" : "secret";
}

int64_t audit_canary_length(const AuditCanaryOptions& options) {
  if (options.length > 0) return options.length;
  return options.kind == AuditCanaryKind::kRandomTokens ? kDefaultTokens : kDefaultDigits;
}

std::vector<AuditCanary> make_audit_canaries(const AuditCanaryOptions& options, const std::vector<Example>& train,
                                             const std::vector<int64_t>& token_pool) {
  check_input(options.count >= 1, "--canaries must be >= 1");
  Rng content(options.seed, "audit-canaries");
  std::vector<Example> records = options.kind == AuditCanaryKind::kRandomTokens
                                     ? random_token_records(options, token_pool, content)
                                     : secret_records(options, train, content);
  bool has_users = false;
  for (const Example& e : train) has_users = has_users || !e.user.empty();

  Rng coins(options.seed, "audit-coins");  // independent of the content: a canary's text says nothing of its coin
  std::vector<AuditCanary> canaries;
  for (Example& record : records) {
    if (has_users) record.user = record.id;
    canaries.push_back({std::move(record), coins.bernoulli(0.5)});
  }
  return canaries;
}

std::vector<Example> audit_training_set(const std::vector<Example>& train, const std::vector<AuditCanary>& canaries) {
  std::vector<Example> out = train;
  for (const AuditCanary& c : canaries)
    if (c.included) out.push_back(c.record);
  return out;
}

}  // namespace privtune::data
