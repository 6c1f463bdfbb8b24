// Site YAML validation: defaults, ranges with file:line, typo guard, inline miners and the
// catalogue's USD prices converted to the site currency.
#include <gtest/gtest.h>

#include <string>

#include "engine/site/site_config.h"
#include "engine/util/error.h"

using namespace hashsim;
using namespace hashsim::site;

namespace {
const std::filesystem::path kFile =
    std::filesystem::path(HASHSIM_SOURCE_DIR) / "tests/site/data/inline.yaml";

std::string error_of(const std::string& yaml) {
  try {
    parse_site_config(yaml, kFile);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kMinimal =
    "site_power_kw: 500\n"
    "power_price_per_kwh: 0.05\n";
}  // namespace

TEST(SiteConfig, DefaultsApply) {
  const SiteConfig c = parse_site_config(kMinimal, kFile);
  EXPECT_DOUBLE_EQ(c.site_power_kw, 500);
  EXPECT_EQ(c.currency, "GBP");
  EXPECT_DOUBLE_EQ(c.load_factor, 1.0);
  EXPECT_DOUBLE_EQ(c.discount_rate_per_year, 0.08);
  EXPECT_EQ(c.horizon_years, 5);
  EXPECT_EQ(c.selection_scenario, "base");
  EXPECT_FALSE(c.fx_usd_to_site);
  EXPECT_EQ(c.catalogue_file.filename(), "current_2026.csv");
  EXPECT_EQ(c.table_power_prices_per_kwh.size(), 10u);
}

TEST(SiteConfig, OutOfRangeNamesFileLineKeyAndRange) {
  const std::string msg = error_of(std::string(kMinimal) + "load_factor: 1.5\n");
  EXPECT_NE(msg.find("inline.yaml:3: load_factor = 1.5 is not in [0.01, 1]"), std::string::npos)
      << msg;
}

TEST(SiteConfig, MissingRequiredKeyIsNamed) {
  const std::string msg = error_of("site_power_kw: 500\n");
  EXPECT_NE(msg.find("missing required key power_price_per_kwh"), std::string::npos) << msg;
}

TEST(SiteConfig, UnknownKeyIsRejected) {
  const std::string msg = error_of(std::string(kMinimal) + "power_price_gbp: 0.05\n");
  EXPECT_NE(msg.find("inline.yaml:3: unknown key power_price_gbp"), std::string::npos) << msg;
}

TEST(SiteConfig, CurrencyMustBeKnownAndUsdNeedsNoFx) {
  EXPECT_NE(error_of(std::string(kMinimal) + "currency: JPY\n").find("currency"),
            std::string::npos);
  const std::string msg = error_of(std::string(kMinimal) + "currency: USD\nfx_usd_to_site: 0.8\n");
  EXPECT_NE(msg.find("must be 1 (or absent) when currency is USD"), std::string::npos) << msg;
}

TEST(SiteConfig, InlineMinersAreTakenInTheSiteCurrency) {
  const SiteConfig c =
      parse_site_config(std::string(kMinimal) +
                            "currency: EUR\n"
                            "miners:\n"
                            "  list:\n"
                            "    - {name: A, hashrate_ths: 100, power_w: 3000, price: 1500}\n"
                            "    - {name: B, hashrate_ths: 200, power_w: 3500, price: 4000}\n",
                        kFile);
  const auto offers = miner_offers(c, 0.9);  // fx ignored for inline prices
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[1].name, "B");
  EXPECT_DOUBLE_EQ(offers[1].price_site_ccy, 4000);
  EXPECT_DOUBLE_EQ(offers[1].power_kw(), 3.5);
}

TEST(SiteConfig, InlineMinerErrorsNameTheEntry) {
  const std::string msg =
      error_of(std::string(kMinimal) +
               "miners:\n  list:\n    - {name: A, hashrate_ths: -1, power_w: 3000, price: 1}\n");
  EXPECT_NE(msg.find("miners.list[0].hashrate_ths = -1"), std::string::npos) << msg;
  const std::string both = error_of(std::string(kMinimal) +
                                    "miners:\n  catalogue: x.csv\n  list:\n    - {name: A, "
                                    "hashrate_ths: 1, power_w: 1, price: 1}\n");
  EXPECT_NE(both.find("cannot be given together"), std::string::npos) << both;
}

TEST(SiteConfig, CataloguePricesAreConvertedFromUsd) {
  const SiteConfig c = parse_site_config(
      std::string(kMinimal) + "miners:\n  catalogue: ../../../data/machines/current_2026.csv\n",
      kFile);
  const auto offers = miner_offers(c, 0.8);
  ASSERT_FALSE(offers.empty());
  EXPECT_EQ(offers[0].name, "Antminer S21 XP");
  EXPECT_DOUBLE_EQ(offers[0].price_site_ccy, 5400 * 0.8);  // price_usd 5400 in current_2026.csv
}

TEST(SiteConfig, MissingCatalogueAndUnknownChosenMinerAreErrors) {
  EXPECT_NE(error_of(std::string(kMinimal) + "miners:\n  catalogue: nope.csv\n")
                .find("machine catalogue not found"),
            std::string::npos);
  // An unknown chosen miner is found while the file is read, so the message names its line.
  const std::string msg = error_of(std::string(kMinimal) + "miners:\n  choose: Nope 9000\n");
  EXPECT_NE(msg.find("miners.choose = Nope 9000 is not among"), std::string::npos) << msg;
  EXPECT_NE(msg.find(".yaml:"), std::string::npos) << msg;
}

TEST(SiteConfig, ShippedDefaultSiteLoads) {
  const SiteConfig c =
      load_site_config(std::filesystem::path(HASHSIM_SOURCE_DIR) / "scenarios/site-default.yaml");
  EXPECT_DOUBLE_EQ(c.site_power_kw, 1000);
  EXPECT_DOUBLE_EQ(c.load_factor, 0.95);
  EXPECT_DOUBLE_EQ(c.power_price_per_kwh, 0.06);
  EXPECT_EQ(c.currency, "GBP");
  EXPECT_EQ(c.horizon_years, 5);
  EXPECT_EQ(miner_offers(c, 0.75).size(), 11u);
}

TEST(SiteConfig, UnknownKeyMessageListsKeysOnlyAskedAbout) {
  // Regression (issue 12): keys read only through YamlMap::has (fx_usd_to_site, tax, ...) were
  // missing from the "allowed here" list of the unknown-key message.
  const std::string msg = error_of(std::string(kMinimal) + "power_price_gbp: 0.05\n");
  for (const char* key :
       {"fx_usd_to_site", "fx_fallback_usd_to_site", "tax", "hosted_price_per_kwh",
        "operating_policy", "selection_criterion", "table_power_prices_per_kwh"})
    EXPECT_NE(msg.find(key), std::string::npos) << key << " missing from: " << msg;
}

TEST(SiteConfig, InvestorSectionsParseWithStatedDefaults) {
  const SiteConfig d = parse_site_config(kMinimal, kFile);
  EXPECT_EQ(d.selection_criterion, "min_payback");
  EXPECT_EQ(d.policy.mode, "daily");  // curtailment on by default
  EXPECT_EQ(d.policy.trailing_days, 7);
  EXPECT_FALSE(d.tax.enabled);
  EXPECT_DOUBLE_EQ(d.financing.debt_share, 0.0);
  const SiteConfig c = parse_site_config(
      std::string(kMinimal) +
          "selection_criterion: max_npv_p50\n"
          "operating_policy: {mode: daily, trailing_days: 3, threshold_per_mwh: 5, "
          "days_before_off: 4, days_before_on: 6, restart_cost_per_miner: 2}\n"
          "tariff: {peak_hours_per_day: 4, peak_price_per_kwh: 0.2}\n"
          "hosted: {price_per_kwh: 0.07, uptime_guarantee: 0.95, "
          "setup_fee_per_miner: 50, term_years: 3}\n"
          "infrastructure: {capex_per_kw: 150}\n"
          "financing: {debt_share: 0.6, interest_rate: 0.09, amortisation: linear}\n"
          "tax: {}\n"
          "tradfi: {bond_yield: 0.04, equity_expected_return: 0.07, equity_vol: 0.16}\n"
          "fx_model: {model: gbm, vol_per_sqrt_year: 0.08, correlation_with_btc: 0.2}\n",
      kFile);
  EXPECT_EQ(c.selection_criterion, "max_npv_p50");
  EXPECT_EQ(c.policy.days_before_on, 6);
  EXPECT_DOUBLE_EQ(c.tariff.peak_price_per_kwh, 0.2);
  EXPECT_DOUBLE_EQ(*c.hosted.uptime_guarantee, 0.95);
  EXPECT_EQ(c.hosted.term_years, 3);
  EXPECT_DOUBLE_EQ(c.infrastructure.life_years, 10);
  EXPECT_EQ(c.financing.term_years, 5);  // defaults to the horizon
  EXPECT_TRUE(c.tax.enabled);            // UK defaults
  EXPECT_DOUBLE_EQ(c.tax.rate, 0.25);
  EXPECT_DOUBLE_EQ(c.tax.first_year_allowance, 1.0);
  EXPECT_DOUBLE_EQ(c.tax.writing_down_rate, 0.18);
  EXPECT_EQ(c.fx_model.model, "gbm");
  // the old shorthand still works, but not together with the new key; the old monthly switch says
  // what replaced it
  EXPECT_DOUBLE_EQ(parse_site_config(std::string(kMinimal) + "hosted_price_per_kwh: 0.08\n", kFile)
                       .hosted.price_per_kwh,
                   0.08);
  EXPECT_NE(error_of(std::string(kMinimal) +
                     "hosted_price_per_kwh: 0.08\nhosted: {price_per_kwh: 0.07}\n")
                .find("choose one"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "shutdown_when_unprofitable: true\n")
                .find("operating_policy"),
            std::string::npos);
  EXPECT_NE(
      error_of(std::string(kMinimal) + "selection_criterion: cheapest\n").find("is not one of"),
      std::string::npos);
}
