using BinderOrleans.Core.Builds;
using BinderOrleans.Server.Build;
using BinderOrleans.Server.Hosting;

// `build …`: one build, as a buildpacks build pod runs it (Kubernetes:Builder=buildpacks); anything else runs the service.
if (BuildpacksCommand.IsBuild(args)) return await BuildCommand.RunAsync(args, Console.Out);

var app = BinderServer.Create(args);
await app.RunAsync();
return 0;
