using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace BinderOrleans.Core.Providers.Data;

/// <summary>One line of a fetch: progress, or (last) the failure.</summary>
public sealed record FetchLine(string Text, ContentFailure? Failure = null);

/// <summary>Runs a <see cref="IContentFetcher"/> and hands its progress out as a stream, the shape builders consume.</summary>
public static class ContentFetchStream
{
    public static async IAsyncEnumerable<FetchLine> RunAsync(IContentFetcher fetcher, ContentSource source, string directory,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = Channel.CreateUnbounded<FetchLine>(new UnboundedChannelOptions { SingleReader = true });
        var run = Task.Run(async () =>
        {
            try
            {
                var failure = await fetcher.FetchAsync(source, directory, text => lines.Writer.TryWrite(new FetchLine(text)), cancellationToken).ConfigureAwait(false);
                if (failure is not null) lines.Writer.TryWrite(new FetchLine(failure.Message, failure));
            }
            finally
            {
                lines.Writer.TryComplete();
            }
        }, CancellationToken.None);

        await foreach (var line in lines.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            yield return line;
        }
        // Surfaces a bug in the fetcher (or the cancellation) to the builder, which owns those.
        await run.ConfigureAwait(false);
    }
}
