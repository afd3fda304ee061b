namespace BinderOrleans.Core.Providers.Data;

/// <summary>
/// repo2docker's common fetch step (<c>DoiProvider.fetch_file</c>): every file of the record downloaded under its name;
/// when the record is one file and that file is a zip, it is unpacked and removed; a lone top-level folder is flattened.
/// </summary>
internal static class RecordDownload
{
    public static async Task<ContentFailure?> FetchAsync(DataClient client, IReadOnlyList<RecordFile> files, string directory, string what,
        bool unzipSingle, bool flatten, Action<string> log, CancellationToken cancellationToken)
    {
        var limits = client.Limits;
        var downloads = new DownloadBudget(limits);
        if (files.Count > limits.MaxFiles) return limits.TooManyFiles(what, files.Count);
        var declared = files.Sum(f => f.Size ?? 0);
        if (declared > limits.MaxBytes)
        {
            return new ContentFailure($"{what} is {declared} bytes, more than the {limits.MaxBytes} bytes this site allows (Providers:Data:MaxBytes).",
                ContentFailure.TooLargeStatus);
        }
        if (files.FirstOrDefault(f => f.Size > limits.MaxFileBytes) is { } big)
        {
            return new ContentFailure($"{what}: file {big.Name} is {big.Size} bytes, more than the {limits.MaxFileBytes} bytes this site allows for one file (Providers:Data:MaxFileBytes).",
                ContentFailure.TooLargeStatus);
        }

        // Names are checked before anything is downloaded, so a bad name costs no traffic.
        var targets = new List<(RecordFile File, string Path)>();
        foreach (var file in files)
        {
            if (ContentPaths.Resolve(directory, file.Name, out var problem) is not { } path)
            {
                return new ContentFailure($"Refusing to fetch {what}: file name '{file.Name}' has {problem}.", ContentFailure.UnsafeStatus);
            }
            targets.Add((file, path));
        }

        Directory.CreateDirectory(directory);
        using var timer = new CancellationTokenSource(client.DownloadTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        foreach (var (file, path) in targets)
        {
            log($"Fetching {file.Name}");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ContentFailure? failure;
            try
            {
                failure = await client.DownloadAsync(file.Url, path, $"{what}: file {file.Name}", downloads, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                failure = new ContentFailure($"{what} did not download within {client.DownloadTimeout} (Providers:DownloadTimeout).", 504);
            }
            if (failure is not null) return failure;
        }

        if (unzipSingle && targets.Count == 1 && SafeZip.IsZip(targets[0].Path))
        {
            var (file, path) = targets[0];
            log($"Extracting {file.Name}");
            // Unpacked into a fresh sub-folder first, so the archive's entries cannot meet the downloaded file; then moved up.
            var unpacked = Path.Combine(directory, ".binder-unzip-" + Path.GetRandomFileName());
            if (SafeZip.Extract(path, unpacked, limits, $"{what} ({file.Name})") is { } unsafeArchive)
            {
                if (Directory.Exists(unpacked)) Directory.Delete(unpacked, recursive: true);
                return unsafeArchive;
            }
            File.Delete(path);
            // And the folders the archive's own name made (repo2docker removes them too).
            if (Path.GetDirectoryName(file.Name.Replace('\\', '/').TrimStart('/')) is { Length: > 0 } sub)
            {
                Directory.Delete(Path.Combine(directory, sub.Split('/', '\\')[0]), recursive: true);
            }
            foreach (var child in Directory.GetFileSystemEntries(unpacked))
            {
                var target = Path.Combine(directory, Path.GetFileName(child));
                if (Directory.Exists(child) && new DirectoryInfo(child).LinkTarget is null) Directory.Move(child, target);
                else File.Move(child, target);
            }
            Directory.Delete(unpacked);
            // A zip of a folder: the files go to the top, as repo2docker does.
            ContentPaths.FlattenSingleDirectory(directory);
        }
        if (flatten) ContentPaths.FlattenSingleDirectory(directory);
        log($"Fetched files: {string.Join(", ", Directory.GetFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal))}");
        return null;
    }
}
