# Loads the binary module the way PSOpenAD does: the assembly of the types users see (e-mails, the connection, the
# exception) goes into the default load context, so [ZohoCrmEmails.Models.ZcrmEmail] and -is work in scripts; the
# cmdlets, the engine and their dependencies (Microsoft.Extensions.* …) go into the module's private load context
# (ZohoCrmEmails.ModuleLoadContext), so other modules' versions of those cannot clash with them.
$bin = [System.IO.Path]::Combine($PSScriptRoot, 'bin')

if (-not ('ZohoCrmEmails.ModuleLoadContext' -as [type])) {
    $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($bin, 'ZohoCrmEmails.dll'))
}
$moduleAssembly = [ZohoCrmEmails.ModuleLoadContext]::Initialize([System.IO.Path]::Combine($bin, 'ZohoCrmEmails.Module.dll'))

# GetCmdlet, not Get-Command: no command discovery (30 ms of every import).
$importModule = $ExecutionContext.InvokeCommand.GetCmdlet('Microsoft.PowerShell.Core\Import-Module')
$innerModule = & $importModule -Assembly $moduleAssembly -PassThru -Force

# Import-Module -Assembly can hand back a cached module whose cmdlets are not added to this module's exports
# (PowerShell issue 20710), so add them explicitly.
$addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
    'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
foreach ($cmdlet in $innerModule.ExportedCmdlets.Values) {
    $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
}
