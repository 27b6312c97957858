using System.Management.Automation;
using System.Security;

namespace ZohoCrmEmails.Module;

/// <summary>
/// A secret parameter given plain text: rather than the binder's "Cannot convert … to SecureString", an error that
/// says how to make a SecureString. The text itself is never echoed.
/// </summary>
public sealed class SecureStringArgumentAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        (inputData is PSObject pso ? pso.BaseObject : inputData) switch
        {
            null or SecureString => inputData,
            string => throw new ArgumentTransformationMetadataException(
                "This parameter takes a SecureString, not plain text (which would stay in the history and transcripts). " +
                "Make one with Read-Host -AsSecureString, from SecretManagement with Get-Secret <name>, or, for a value " +
                "already in a variable, ConvertTo-SecureString $value -AsPlainText -Force."),
            _ => inputData,
        };
}
