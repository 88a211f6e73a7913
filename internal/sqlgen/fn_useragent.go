package sqlgen

// uaRule is one user-agent pattern: the first rule whose re matches decides the family;
// its groups are the version parts (or the device's model parts).
type uaRule struct {
	re     string
	family string
}

// uaBrowsers are parse_user_agent's browsers, in the order they are tried: a browser
// whose user agent names another one (Edge and Opera say Chrome, Chrome says Safari)
// comes first. Each pattern has three groups: major, minor and patch version.
var uaBrowsers = []uaRule{
	{`EdgiOS/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Edge Mobile"},
	{`EdgA/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Edge Mobile"},
	{`Edge?/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Edge"},
	{`OPR/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Opera"},
	{`Opera.*Version/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Opera"},
	{`Opera[/ ](\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Opera"},
	{`AdobeAIR/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "AdobeAIR"},
	{`Series60/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Nokia OSS Browser"},
	{`FxiOS/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Firefox iOS"},
	{`Android.*Firefox/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Firefox Mobile"},
	{`Firefox/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Firefox"},
	{`CriOS/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Chrome Mobile iOS"},
	{`Android.*Chrome/(\d+)(?:\.(\d+))?(?:\.(\d+))?.* Mobile`, "Chrome Mobile"},
	{`Chrome/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Chrome"},
	{`(?:iPhone|iPad|iPod).*Version/(\d+)(?:\.(\d+))?(?:\.(\d+))?.*Safari/`, "Mobile Safari"},
	{`Version/(\d+)(?:\.(\d+))?(?:\.(\d+))?.*Safari/`, "Safari"},
	{`MSIE (\d+)\.(\d+)()`, "IE"},
	{`Trident/.*rv:(\d+)\.(\d+)()`, "IE"},
}

// uaSystems are parse_user_agent's operating systems, each pattern with four groups:
// major, minor, patch and patch-minor version. Windows is named after its NT version
// ("Windows NT 6.1" is "Windows 7"), without versions, as uap-core names it.
var uaSystems = []uaRule{
	{`Windows NT 10\.0()()()()`, "Windows 10"},
	{`Windows NT 6\.3()()()()`, "Windows 8.1"},
	{`Windows NT 6\.2()()()()`, "Windows 8"},
	{`Windows NT 6\.1()()()()`, "Windows 7"},
	{`Windows NT 6\.0()()()()`, "Windows Vista"},
	{`Windows NT 5\.[12]()()()()`, "Windows XP"},
	{`Windows()()()()`, "Windows"},
	{`(?:iPhone|iPad|iPod).*? OS (\d+)_(\d+)(?:_(\d+))?()`, "iOS"},
	{`Mac OS X (\d+)[_.](\d+)(?:[_.](\d+))?()`, "Mac OS X"},
	{`Android[ /]?(\d+)(?:\.(\d+))?(?:\.(\d+))?()`, "Android"},
	{`SymbianOS/(\d+)(?:\.(\d+))?(?:\.(\d+))?()`, "Symbian OS"},
	{`Linux()()()()`, "Linux"},
}

// uaDevice is one device pattern and how its family, brand and model are made from the
// groups of the match (g(i)) and constants (s).
type uaDevice struct {
	re                   string
	family, brand, model []any // each part a string constant or a group number (int64)
}

// uaDevices are parse_user_agent's devices: crawlers, Apple's devices, Nokia phones and
// Android devices by the model their user agent names (uap-core's "Generic_Android"
// fallback), else a generic smartphone or tablet.
var uaDevices = []uaDevice{
	{`(?i)(?:bot|crawler|spider|crawling)`, []any{"Spider"}, []any{"Spider"}, []any{"Desktop"}},
	{`iPhone`, []any{"iPhone"}, []any{"Apple"}, []any{"iPhone"}},
	{`iPad`, []any{"iPad"}, []any{"Apple"}, []any{"iPad"}},
	{`iPod`, []any{"iPod"}, []any{"Apple"}, []any{"iPod"}},
	{`Macintosh`, []any{"Mac"}, []any{"Apple"}, []any{"Mac"}},
	{`Nokia([A-Za-z0-9]+)(-[0-9]+)?`, []any{"Nokia ", int64(1)}, []any{"Nokia"}, []any{int64(1), int64(2)}},
	{`Android[^;)]*; *(?:[a-z]{2}[-_][A-Za-z]{2}; *)?([^;)]+?) +Build/`, []any{int64(1)}, []any{"Generic_Android"}, []any{int64(1)}},
	{`Android.*Mobile`, []any{"Generic Smartphone"}, []any{"Generic"}, []any{"Smartphone"}},
	{`Android`, []any{"Generic Tablet"}, []any{"Generic"}, []any{"Tablet"}},
}

// parseUserAgent builds Kusto's parse_user_agent bag for the targets ("browser", "os",
// "device", in that order) from the rules above; a user agent no rule matches is
// "Other" with empty versions, as uap-core reports it.
func parseUserAgent(d textSQL, ua Expr, targets []string) Expr {
	var keys []string
	var vals []Expr
	for _, t := range targets {
		switch t {
		case "browser":
			keys = append(keys, "Browser")
			vals = append(vals, uaVersioned(d, ua, uaBrowsers, []string{"MajorVersion", "MinorVersion", "Patch"}))
		case "os":
			keys = append(keys, "OperatingSystem")
			vals = append(vals, uaVersioned(d, ua, uaSystems, []string{"MajorVersion", "MinorVersion", "Patch", "PatchMinor"}))
		case "device":
			keys = append(keys, "Device")
			vals = append(vals, uaDeviceBag(d, ua))
		}
	}
	return d.object(keys, vals)
}

// uaVersioned is the bag of Family and the version parts of the first matching rule.
func uaVersioned(d textSQL, ua Expr, rules []uaRule, parts []string) Expr {
	family := &Case{Else: Str("Other")}
	for _, r := range rules {
		family.Whens = append(family.Whens, When{Cond: d.matches(ua, r.re), Then: Str(r.family)})
	}
	vals := []Expr{d.jsonString(family)}
	for i := range parts {
		v := &Case{Else: Str("")}
		for _, r := range rules {
			v.Whens = append(v.Whens, When{Cond: d.matches(ua, r.re), Then: d.extract(ua, r.re, int64(i+1))})
		}
		vals = append(vals, d.jsonString(v))
	}
	return d.object(append([]string{"Family"}, parts...), vals)
}

// uaDeviceBag is the Device bag of the first matching device rule, else Other.
func uaDeviceBag(d textSQL, ua Expr) Expr {
	field := func(part func(r uaDevice) []any, other string) Expr {
		c := &Case{Else: Str(other)}
		for _, r := range uaDevices {
			var pieces []Expr
			for _, p := range part(r) {
				if g, ok := p.(int64); ok {
					pieces = append(pieces, d.extract(ua, r.re, g))
				} else {
					pieces = append(pieces, Str(p.(string)))
				}
			}
			v := pieces[0]
			if len(pieces) > 1 {
				v = Call("concat", pieces...)
			}
			c.Whens = append(c.Whens, When{Cond: d.matches(ua, r.re), Then: v})
		}
		return d.jsonString(c)
	}
	return d.object([]string{"Family", "Brand", "Model"}, []Expr{
		field(func(r uaDevice) []any { return r.family }, "Other"),
		field(func(r uaDevice) []any { return r.brand }, ""),
		field(func(r uaDevice) []any { return r.model }, ""),
	})
}
