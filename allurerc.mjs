// Allure 3 report configuration: `npx allure generate` reads this file.
import { readFileSync } from "node:fs";
import { defineConfig } from "allure";

// Product defects, infrastructure, known issues and test defects: the rules live in one
// file that the suite's unit tests read too (support/reporting.py, category_of).
const categories = JSON.parse(
  readFileSync(new URL("./support/report_categories.json", import.meta.url), "utf8"),
);

export default defineConfig({
  name: "QuantDesk acceptance",
  output: "./reports/allure-report",
  // Run history kept across runs: trends, flaky and new/fixed markers. CI restores this
  // file from the previous run's artefact before generating (README, "The report").
  historyPath: "./reports/history.jsonl",
  historyLimit: 20,
  categories: { rules: categories },
  // Labels every scenario has the same value of say nothing to a reader.
  hideLabels: ["framework", "language"],
  plugins: {
    awesome: {
      options: {
        reportName: "QuantDesk acceptance",
        reportLanguage: "en",
        // One self-contained index.html that opens from disk or a CI artifact.
        singleFile: true,
        groupBy: ["epic", "feature", "story"],
      },
    },
  },
});
