using System.Reflection;
using System.Runtime.Loader;

namespace ZohoCrmEmails;

/// <summary>
/// The module's private AssemblyLoadContext. The cmdlets, the engine and their dependencies (Microsoft.Extensions.*,
/// MimeKit …) load here from the module's bin folder, so other versions of those assemblies in the session neither
/// break the module nor are broken by it. This assembly (the types users see) and the framework come from the default
/// context, so an e-mail made by the engine is the same [ZohoCrmEmails.Models.ZcrmEmail] a script names.
/// </summary>
public sealed class ModuleLoadContext : AssemblyLoadContext
{
    // Shared with the default context: the types users see, and System.Text.Json, which they expose (JsonElement).
    private static readonly string[] Shared = [typeof(ModuleLoadContext).Assembly.GetName().Name!, "System.Text.Json"];
    private static readonly object Sync = new();
    private static ModuleLoadContext? _instance;
    private readonly string _binDirectory;
    private readonly Assembly _moduleAssembly;

    private ModuleLoadContext(string moduleAssemblyPath) : base("ZohoCrmEmails", isCollectible: false)
    {
        _binDirectory = Path.GetDirectoryName(moduleAssemblyPath)!;
        _moduleAssembly = LoadFromAssemblyPath(moduleAssemblyPath);
    }

    /// <summary>The cmdlet assembly, loaded (once per process) into the private context.</summary>
    public static Assembly Initialize(string moduleAssemblyPath)
    {
        lock (Sync)
        {
            _instance ??= new ModuleLoadContext(Path.GetFullPath(moduleAssemblyPath));
            return _instance._moduleAssembly;
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (Shared.Contains(assemblyName.Name, StringComparer.OrdinalIgnoreCase))
            return null;
        var path = Path.Combine(_binDirectory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
