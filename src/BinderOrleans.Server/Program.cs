using BinderOrleans.Server.Hosting;

var app = BinderServer.Create(args);
await app.RunAsync();
