package syntax_test

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/kql/syntax"
)

func ExampleParse() {
	src := `DeviceProcessEvents | where FileName =~ "powershell.exe" | summarize count() by DeviceName`
	script, diags := syntax.Parse(src)
	fmt.Println(len(diags))
	fmt.Println(syntax.Format(script))
	// Output:
	// 0
	// DeviceProcessEvents
	// | where FileName =~ "powershell.exe"
	// | summarize count() by DeviceName
}

func ExampleRender() {
	src := "SigninLogs\n| summarise count() by UserPrincipalName\n| where x =="
	_, diags := syntax.Parse(src)
	for _, d := range diags {
		fmt.Println(syntax.Render(src, d))
	}
	// Output:
	// 2:3: unknown operator 'summarise'; did you mean 'summarize'?
	// | summarise count() by UserPrincipalName
	//   ^^^^^^^^^
	// 3:13: expected an expression, found end of query
	// | where x ==
	//             ^
}
