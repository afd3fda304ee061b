using System.IO.Pipelines;
using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// The build context as a stream the engine client reads while the tar is being written, so a large repository is
/// neither buffered in memory nor copied to a temp file. Disposing stops the writer (the engine may stop reading
/// early, e.g. when it is lost mid-upload).
/// </summary>
internal sealed class ContextPipe : IAsyncDisposable
{
    private readonly Pipe _pipe = new();
    private readonly CancellationTokenSource _stop;
    private readonly Task _writer;

    public ContextPipe(BuildContext context, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Reader = _pipe.Reader.AsStream();
        _writer = WriteAsync(context, _stop.Token);
    }

    /// <summary>The tar, to hand to the engine client.</summary>
    public Stream Reader { get; }

    private async Task WriteAsync(BuildContext context, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await using (var output = _pipe.Writer.AsStream(leaveOpen: true))
            {
                await context.WriteAsync(output, cancellationToken).ConfigureAwait(false);
            }
            await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The reader sees the failure instead of a short tar the engine would accept.
            await _pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
        await _writer.ConfigureAwait(false);
        _stop.Dispose();
    }
}
