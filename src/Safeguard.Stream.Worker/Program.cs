using Safeguard.Stream.Worker.Commands;

return await SafeguardCli.Create().Parse(args).InvokeAsync();
