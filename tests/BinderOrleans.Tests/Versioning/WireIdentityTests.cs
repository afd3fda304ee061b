using System.Reflection;
using System.Text;
using BinderOrleans.Core.Builds;

namespace BinderOrleans.Tests.Versioning;

/// <summary>
/// Two versions of the service run side by side during a rolling update, so what crosses the wire may only grow: the
/// checked-in <c>wire-identity.txt</c> records every grain method (interface alias, method alias, return and parameter
/// types) and every wire type's field ids, and each recorded line must still hold.
/// </summary>
public sealed class WireIdentityTests
{
    private const string RecordFile = "Versioning/wire-identity.txt";

    [Fact]
    public void WireIdentity_EveryRecordedGrainMethodAndFieldStillExists()
    {
        var current = WireIdentity.Describe(typeof(IBuildGrain).Assembly).ToHashSet(StringComparer.Ordinal);
        var gone = Recorded().Where(line => !current.Contains(line)).ToList();

        Assert.True(gone.Count == 0,
            "These wire identities changed or disappeared. An older silo still sends and expects them during a rolling " +
            "update: keep the old method or field and add the new one under a new [Alias] or [Id]:\n" + string.Join('\n', gone));
    }

    [Fact]
    public void WireIdentity_EveryGrainMethodAndFieldIsRecorded()
    {
        var recorded = Recorded().ToHashSet(StringComparer.Ordinal);
        var unrecorded = WireIdentity.Describe(typeof(IBuildGrain).Assembly).Where(line => !recorded.Contains(line)).ToList();

        Assert.True(unrecorded.Count == 0,
            $"New wire identities: append these lines to tests/BinderOrleans.Tests/{RecordFile} so they are kept from now on:\n" +
            string.Join('\n', unrecorded));
    }

    [Fact]
    public void WireIdentity_CoversTheGrainsAndTheirTypes()
    {
        var lines = WireIdentity.Describe(typeof(IBuildGrain).Assembly);

        Assert.Contains("grain binder.build watch: IAsyncEnumerable<binder.build-log-entry>(binder.build-request, Int32, String, CancellationToken)", lines);
        Assert.Contains("type binder.build-request 0: String", lines);
        Assert.Contains("type binder.event 4: String", lines);
    }

    private static IEnumerable<string> Recorded() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, RecordFile))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'));
}

/// <summary>What Orleans puts on the wire for the grain interfaces and serializable types of one assembly.</summary>
internal static class WireIdentity
{
    public static List<string> Describe(Assembly assembly)
    {
        var lines = new List<string>();
        // Orleans' generated invokers (namespace OrleansCodeGen) are derived from the aliases recorded here.
        var declared = assembly.GetTypes().Where(t => t.Namespace?.StartsWith("OrleansCodeGen", StringComparison.Ordinal) != true);
        foreach (var type in declared.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (type.IsInterface && typeof(IGrain).IsAssignableFrom(type))
            {
                var grain = AliasOf(type) ?? throw new InvalidOperationException($"Grain interface {type} has no [Alias].");
                foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                {
                    var alias = AliasOf(method) ?? throw new InvalidOperationException($"Grain method {type}.{method.Name} has no [Alias].");
                    var parameters = string.Join(", ", method.GetParameters().Select(p => Name(p.ParameterType)));
                    lines.Add($"grain {grain} {alias}: {Name(method.ReturnType)}({parameters})");
                }
            }
            else if (type.GetCustomAttribute<GenerateSerializerAttribute>() is not null)
            {
                var alias = AliasOf(type) ?? throw new InvalidOperationException($"Wire type {type} has no [Alias].");
                const BindingFlags Members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly;
                var fields = type.GetFields(Members).Select(f => (Id: f.GetCustomAttribute<IdAttribute>(), Type: f.FieldType))
                    .Concat(type.GetProperties(Members).Select(p => (Id: p.GetCustomAttribute<IdAttribute>(), Type: p.PropertyType)));
                foreach (var (id, fieldType) in fields.Where(f => f.Id is not null).OrderBy(f => f.Id!.Id))
                {
                    lines.Add($"type {alias} {id!.Id}: {Name(fieldType)}");
                }
            }
        }
        return lines;
    }

    private static string? AliasOf(MemberInfo member) => member.GetCustomAttribute<AliasAttribute>()?.Alias;

    // A type with an alias travels under it (a namespace move changes nothing); others by their .NET name.
    private static string Name(Type type)
    {
        if (AliasOf(type) is { } alias) return alias;
        if (type.IsArray) return Name(type.GetElementType()!) + "[]";
        if (!type.IsGenericType) return type.Name;
        var name = new StringBuilder(type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]);
        return name.Append('<').AppendJoin(", ", type.GetGenericArguments().Select(Name)).Append('>').ToString();
    }
}
