// Allure 3 report configuration: `npx allure generate` reads this file.
import { defineConfig } from "allure";

export default defineConfig({
  name: "QuantDesk acceptance",
  output: "./reports/allure-report",
  // Run history kept across runs: trends, flaky and new/fixed markers.
  historyPath: "./reports/history.jsonl",
  historyLimit: 50,
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
