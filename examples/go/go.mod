module odm.example/client

go 1.19
