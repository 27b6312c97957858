# Loads the binary module so that its dependencies live in a private AssemblyLoadContext (see
# src/ZohoCrmEmails.Loader): other modules' versions of System.Text.Json or Microsoft.Extensions.* cannot clash.
$bin = [System.IO.Path]::Combine($PSScriptRoot, 'bin')

if (-not ('ZohoCrmEmails.Loader.LoadContext' -as [type])) {
    $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($bin, 'ZohoCrmEmails.Loader.dll'))
}
$moduleAssembly = [ZohoCrmEmails.Loader.LoadContext]::Initialize([System.IO.Path]::Combine($bin, 'ZohoCrmEmails.Module.dll'))

$importModule = Get-Command -Name Import-Module -Module Microsoft.PowerShell.Core
$innerModule = & $importModule -Assembly $moduleAssembly -PassThru -Force

# Import-Module -Assembly can hand back a cached module whose cmdlets are not added to this module's exports
# (PowerShell issue 20710), so add them explicitly.
$addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
    'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
foreach ($cmdlet in $innerModule.ExportedCmdlets.Values) {
    $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
}
