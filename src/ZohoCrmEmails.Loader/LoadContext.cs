using System.Reflection;
using System.Runtime.Loader;

namespace ZohoCrmEmails.Loader;

/// <summary>
/// The module's private AssemblyLoadContext. The cmdlet assembly, the client library and their dependencies
/// (System.Text.Json, Microsoft.Extensions.*) load here from the module's bin folder, so other versions of those
/// assemblies in the session neither break the module nor are broken by it. Anything not in bin (PowerShell itself,
/// the framework) comes from the default context.
/// </summary>
public sealed class LoadContext : AssemblyLoadContext
{
    private static readonly object Sync = new();
    private static LoadContext? _instance;
    private readonly string _binDirectory;
    private readonly Assembly _moduleAssembly;

    private LoadContext(string moduleAssemblyPath) : base("ZohoCrmEmails", isCollectible: false)
    {
        _binDirectory = Path.GetDirectoryName(moduleAssemblyPath)!;
        _moduleAssembly = LoadFromAssemblyPath(moduleAssemblyPath);
    }

    /// <summary>The cmdlet assembly, loaded (once per process) into the private context.</summary>
    public static Assembly Initialize(string moduleAssemblyPath)
    {
        lock (Sync)
        {
            _instance ??= new LoadContext(Path.GetFullPath(moduleAssemblyPath));
            return _instance._moduleAssembly;
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (string.Equals(assemblyName.Name, typeof(LoadContext).Assembly.GetName().Name, StringComparison.OrdinalIgnoreCase))
            return null;
        var path = Path.Combine(_binDirectory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
