using System.Globalization;

namespace BinderOrleans.Bench.Engine;

/// <summary>CPU time from <c>/proc</c>: of one process (user + system), and of the whole machine (every core, busy only).</summary>
internal static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux build .NET runs on

    /// <summary>Seconds of CPU the process has used; NaN once it is gone.</summary>
    public static double Of(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    /// <summary>Busy seconds summed over all cores (everything but idle and iowait), from the first line of <c>/proc/stat</c>.</summary>
    public static double MachineBusy()
    {
        var first = File.ReadLines("/proc/stat").First();
        var values = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return (values.Sum() - values[3] - values[4]) / TicksPerSecond;
    }
}
