// Validates a PMML document against the PMML 4.4 XML schema that JPMML-Model ships (pmml.xsd in
// its jar), with Java's own XML Schema validator. Run as a single-file program (Java 11+):
//
//     java ValidatePMML.java pmml-model-1.7.7.jar model.pmml
//
// Prints "valid against <schema's namespace>" and exits 0, or prints the first error with its
// line and column and exits 1.
import java.io.File;
import java.io.InputStream;
import java.util.zip.ZipFile;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.xml.sax.SAXParseException;

public class ValidatePMML {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java ValidatePMML.java PMML-MODEL.jar DOCUMENT.pmml");
            System.exit(2);
        }
        try (ZipFile jar = new ZipFile(args[0])) {
            var entry = jar.getEntry("pmml.xsd");
            if (entry == null) {
                System.err.println(args[0] + " holds no pmml.xsd");
                System.exit(2);
            }
            String xsd = new String(jar.getInputStream(entry).readAllBytes(), "UTF-8");
            if (!xsd.contains("targetNamespace=\"http://www.dmg.org/PMML-4_4\"")) {
                System.err.println("pmml.xsd in " + args[0] + " is not the PMML 4.4 schema");
                System.exit(2);
            }
            SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
            Schema schema;
            try (InputStream in = jar.getInputStream(entry)) {
                schema = factory.newSchema(new StreamSource(in));
            }
            Validator validator = schema.newValidator();
            try {
                validator.validate(new StreamSource(new File(args[1])));
            } catch (SAXParseException e) {
                System.out.println(args[1] + ":" + e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage());
                System.exit(1);
            }
            System.out.println("valid against http://www.dmg.org/PMML-4_4 (pmml.xsd of " + new File(args[0]).getName() + ")");
        }
    }
}
