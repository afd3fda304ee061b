namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>How a <see cref="TestRegistry"/> authenticates clients.</summary>
public enum RegistryAuthMode
{
    /// <summary>Anyone may pull and push.</summary>
    None,

    /// <summary>htpasswd (bcrypt) basic auth.</summary>
    Basic,

    /// <summary>Bearer tokens signed by an in-test <see cref="TokenServer"/> the registry trusts.</summary>
    Token,
}
