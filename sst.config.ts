/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    return {
      name: "alex-orchestra",
      home: "aws",
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
      // The stack lives where the CLI (alex submit/watch/migrate) and every non-Bedrock client look.
      providers: { aws: { region: (process.env.DEFAULT_AWS_REGION ?? "us-east-1") as "us-east-1" } },
    };
  },
  async run() {
    const { deploySettings } = await import("./lib/infra/settings.js");
    const { awsContext } = await import("./stacks/context.js");
    const { database, runMigrations } = await import("./stacks/database.js");
    const { knowledgeBase } = await import("./stacks/knowledge-base.js");
    const { functions, reservedConcurrency } = await import("./stacks/functions.js");
    const { jobQueues, pipeline } = await import("./stacks/pipeline.js");
    const { dailyPriceRefresh, polygonApiKey } = await import("./stacks/market-data.js");

    const settings = deploySettings(process.env);
    const region = process.env.DEFAULT_AWS_REGION ?? "us-east-1";
    const reserved = await reservedConcurrency(process.env, region, `${$app.name}-${$app.stage}-`);
    const ctx = awsContext();
    const db = database();
    const knowledge = knowledgeBase(settings, ctx);
    const queues = jobQueues();
    const fns = functions({
      settings,
      ctx,
      links: {
        Database: db.app,
        DatabasePrices: db.prices,
        DatabaseAdmin: db.admin,
        KnowledgeBase: knowledge,
        PolygonApiKey: polygonApiKey(),
      },
      deadLetterQueueArn: queues.deadLetters.arn,
      reserved,
    });
    runMigrations(db, fns.migrate);
    dailyPriceRefresh({ fn: fns.refreshPrices, account: ctx.account });
    const { jobs, deadLetters, machine } = pipeline({ functions: fns, ctx, queues });

    return {
      model: settings.alexModel,
      queueUrl: jobs.url,
      deadLetterQueueUrl: deadLetters.url,
      stateMachineArn: machine.arn,
      databaseClusterArn: db.aurora.clusterArn,
      databaseSecretArn: db.aurora.secretArn,
      databaseAppSecretArn: db.appSecret.arn,
      databasePricesSecretArn: db.pricesSecret.arn,
      knowledgeBase: knowledge.properties,
      stateMachineConsole: $interpolate`https://${ctx.region}.console.aws.amazon.com/states/home?region=${ctx.region}#/statemachines/view/${machine.arn}`,
    };
  },
});
